import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { installHint } from '../src/debian-packages.js';
import { DRIVERS } from '../src/drivers/kinds.js';
import { examplesDir, projectRoot } from '../src/paths.js';
import { toolsFor } from '../src/requirements.js';
import { listScenarioFiles, loadScenario } from '../src/scenario/load.js';

const packages = JSON.parse(readFileSync(path.join(projectRoot, 'scripts', 'debian-packages.json'), 'utf8')) as Record<
  string,
  string
>;

test('every tool a shipped scenario needs, with any driver, in either mode, is in the map setup installs from', (t) => {
  const tools = new Set<string>();
  for (const file of listScenarioFiles(examplesDir)) {
    const s = loadScenario(file);
    for (const driver of Object.values(DRIVERS))
      for (const mode of ['sandbox', 'host'] as const) for (const x of toolsFor(s, mode, driver.name)) tools.add(x);
  }
  t.true(tools.has('nft') && tools.has('iperf3'), [...tools].join(' '));
  t.deepEqual(
    [...tools].filter((x) => !packages[x]),
    [],
  );
});

test('a hint names each package once, in the order the tools came', (t) => {
  t.is(installHint(['ss', 'nft', 'ip', 'tc']), 'apt-get install iproute2 nftables, or npm run setup');
});
