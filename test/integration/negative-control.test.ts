// The negative control of every load-balanced check: each shipped scenario with a load balancer, run
// with --lb none, fails every check that targets a VIP, with a reason that says the load balancer
// did not carry it. A check that passes here would pass without any load balancer: it proves nothing.
import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { preflight } from '../../src/commands/preflight.js';
import { MissingRequirement } from '../../src/errors.js';
import { lbTargetsOf } from '../../src/proof/targets.js';
import { listScenarioFiles, loadScenario } from '../../src/scenario/load.js';
import { rootSkipReason, snapshot } from '../helpers/audit.js';
import { gated } from '../helpers/gated.js';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const rootReason = rootSkipReason();

const cases = await Promise.all(listScenarioFiles().map(async (file) => {
  const name = path.basename(file, '.toml');
  const s = loadScenario(file);
  const vipChecks = s.checks.filter((c) => lbTargetsOf(c, s).length > 0).map((c) => c.name);
  if (!s.lb.config || !vipChecks.length) return undefined;
  if (rootReason) return { name, vipChecks, skip: rootReason, s };
  try {
    await preflight(s, { lb: 'none', host: false, json: true, verbose: false, set: [] });
    return { name, vipChecks, skip: undefined, s };
  } catch (err) {
    if (err instanceof MissingRequirement) return { name, vipChecks, skip: err.reasons.join('; '), s };
    throw err;
  }
}));

for (const c of cases) {
  if (!c) continue;
  // a scenario this machine cannot run (root, a tool, a kernel feature) is a skip with its reason
  const { integration, title } = gated(c.skip?.slice(0, 200));
  integration(title(`negative control: ${c.name} with --lb none fails every check of a VIP (${c.vipChecks.join(', ')}) because no load balancer carried it`), async (t) => {
    const before = snapshot();
    const hasDuration = 'duration' in c.s.params;
    const r = await execa('node', [cli, 'run', c.name, '--lb', 'none', '--json', ...(hasDuration ? ['--set', 'duration=1'] : [])], { reject: false, env: { NO_COLOR: '1' } });
    t.is(r.exitCode, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as { checks: { name: string; status: string; summary: string }[] };
    for (const name of c.vipChecks) {
      const check = doc.checks.find((x) => x.name === name);
      t.is(check?.status, 'failed', `${name}: ${check?.summary}`);
      t.regex(check?.summary ?? '', /the load balancer did not carry it/, name);
    }
    t.deepEqual(snapshot(), before);
  });
}
