import test from 'ava';
import { execa } from 'execa';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../../src/scenario/load.js';
import type { QdiscSpec, Scenario } from '../../src/scenario/types.js';
import { printWarnings, scenarioWarnings } from '../../src/plan/warnings.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/scenarios/', import.meta.url));
const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const bare = loadScenario(path.join(fixtures, 'bare-two-netns.toml'));
const tbf = (dev: string, netns?: string): QdiscSpec => ({
  netns,
  dev,
  kind: 'tbf',
  rate: '200mbit',
  burst: '1mb',
  latency: '50ms',
});
const shaped = (...qdiscs: QdiscSpec[]): Scenario => ({ ...bare, qdiscs });

test('a qdisc on a link XDP redirects into is bypassed: the warning says so and where a limit applies', (t) => {
  const [w, ...more] = scenarioWarnings(shaped(tbf('veth2')), 'embedded');
  t.deepEqual(more, []);
  t.regex(
    w!.message,
    /XDP redirects the load-balanced frames into veth2 past its qdisc: with the embedded driver this 200mbit limit does not shape them \(with nft it does\)/,
  );
  t.regex(
    w!.hint!,
    /on the clients' side \(veth1 with netns = "zone0"\) for what they send; on the backend's side \(veth3 with netns = "zone2"\) for what it sends/,
  );
  // the client's link: replies are redirected into it as well
  t.regex(
    scenarioWarnings(shaped(tbf('veth0')), 'zon-lb')[0]!.hint!,
    /on the clients' side \(veth1 with netns = "zone0"\) for what they send$/,
  );
});

test("no warning where the qdisc does shape: nft and none, the sender's own end, a driver that is not XDP", (t) => {
  for (const driver of ['nft', 'none'] as const)
    t.deepEqual(scenarioWarnings(shaped(tbf('veth2')), driver), [], driver);
  t.deepEqual(scenarioWarnings(shaped(tbf('veth1', 'zone0'), tbf('veth3', 'zone2')), 'embedded'), []);
  // the regression test's fixture shapes the client's end
  t.deepEqual(scenarioWarnings(loadScenario(path.join(fixtures, 'shaped.toml')), 'auto'), []);
  t.is(scenarioWarnings(shaped(tbf('veth2')), 'auto').length, 1);
});

test('warnings print on stderr, one line each with file, line and key; validate --json keeps stdout one document', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-warn-'));
  try {
    const file = path.join(dir, 'shaped-lb.toml');
    writeFileSync(
      file,
      readFileSync(path.join(fixtures, 'bare-two-netns.toml'), 'utf8').replace(
        '[lb]',
        '[[qdisc]]\ndev = "veth2"\nrate = "200mbit"\n\n[lb]',
      ),
    );
    copyFileSync(path.join(fixtures, 'bare-two-netns.zonlb.toml'), path.join(dir, 'bare-two-netns.zonlb.toml'));
    const lines: string[] = [];
    printWarnings(scenarioWarnings(loadScenario(file), 'embedded'), (l) => lines.push(l));
    t.is(lines.length, 1);
    t.regex(
      lines[0]!,
      new RegExp(`^zonlab: warning: ${file.replace(/[.]/g, '\\.')}:\\d+: qdisc\\[0\\]\\.dev: XDP redirects`),
    );
    for (const command of ['validate', 'plan']) {
      const r = await execa(process.execPath, [cli, command, file, '--lb', 'embedded', '--json'], {
        reject: false,
        env: { NO_COLOR: '1' },
      });
      t.is(r.exitCode, 0, r.stderr);
      t.notThrows(() => JSON.parse(r.stdout), command);
      t.regex(r.stderr, /warning: .*qdisc\[0\]\.dev: XDP redirects the load-balanced frames into veth2/, command);
    }
    const nft = await execa(process.execPath, [cli, 'validate', file, '--lb', 'nft'], {
      reject: false,
      env: { NO_COLOR: '1' },
    });
    t.is(nft.stderr, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
