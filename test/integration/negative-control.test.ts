// The negative control of every load-balanced check: each shipped scenario with a load balancer, run
// with --lb none, fails every check that targets a VIP, and is judged on the check's own outcome:
// a check fails by itself (its traffic reached no backend), or, where the VIP answers without a load
// balancer (a ping of an address the lab has, as veth0's own 10.0.0.1), by the backend-side
// evidence (the backend namespace's echo counters did not move). Which of the two is asserted for
// every check: a check that passed by itself and failed only because the none driver counts
// nothing would be a check that proves nothing.
import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { preflight } from '../../src/commands/preflight.js';
import { MissingRequirement } from '../../src/errors.js';
import { lbTargetsOf, owners } from '../../src/proof/targets.js';
import { listScenarioFiles, loadScenario } from '../../src/scenario/load.js';
import type { CheckSpec, Scenario } from '../../src/scenario/types.js';
import { rootSkipReason, snapshot } from '../helpers/audit.js';
import { gated } from '../helpers/gated.js';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const rootReason = rootSkipReason();

type Mode = 'fails by itself' | 'fails on the backend evidence';

/**
 * A ping of an address the lab has is answered without a load balancer, unless it expects exactly
 * the echoes PMTU discovery loses (ip-fragmentation-pmtud's ping6: 2 of 3): without a load balancer
 * every reply comes back, one too many. Any other check of a VIP reaches nothing.
 */
function expectedMode(s: Scenario, c: CheckSpec): Mode {
  if (c.kind !== 'ping' || !owners(s, c.to).length) return 'fails by itself';
  return !c.atLeast && c.expectReceived < c.count ? 'fails by itself' : 'fails on the backend evidence';
}

const cases = await Promise.all(
  listScenarioFiles().map(async (file) => {
    const name = path.basename(file, '.toml');
    const s = loadScenario(file);
    const vipChecks = s.checks
      .filter((c) => lbTargetsOf(c, s).length > 0)
      .map((c) => ({ name: c.name, mode: expectedMode(s, c) }));
    if (!s.lb.config || !vipChecks.length) return undefined;
    if (rootReason) return { name, vipChecks, skip: rootReason, s };
    try {
      await preflight(s, { lb: 'none', host: false, json: true, verbose: false, set: [] });
      return { name, vipChecks, skip: undefined, s };
    } catch (err) {
      if (err instanceof MissingRequirement) return { name, vipChecks, skip: err.reasons.join('; '), s };
      throw err;
    }
  }),
);

/**
 * The least traffic that still asks every check its question: a second of throughput, and one round of
 * a spread's concurrent flows (16): unanswered, each UDP flow waits out its retries, and the
 * examples' 1000 took the check's whole minute here, for a failure 16 show as well.
 */
function smallest(s: Scenario): string[] {
  return [
    ...('duration' in s.params ? ['--set', 'duration=1'] : []),
    ...('connections' in s.params && s.checks.some((c) => c.kind === 'spread') ? ['--set', 'connections=16'] : []),
  ];
}

interface Doc {
  checks: {
    name: string;
    status: string;
    summary: string;
    evidence: { loadBalancer?: { checkOutcome?: string; failedOn?: string; reason?: string } };
  }[];
}

for (const c of cases) {
  if (!c) continue;
  const listed = c.vipChecks.map((v) => `${v.name} ${v.mode}`).join(', ');
  // a scenario this machine cannot run (root, a tool, a kernel feature) is a skip with its reason
  const { integration, title } = gated(c.skip?.slice(0, 200));
  integration(title(`negative control: ${c.name} with --lb none: ${listed}`), async (t) => {
    t.timeout(15 * 60_000, 'every check of a VIP waits out its timeout');
    const before = snapshot();
    const r = await execa('node', [cli, 'run', c.name, '--lb', 'none', '--json', ...smallest(c.s)], {
      reject: false,
      env: { NO_COLOR: '1' },
    });
    t.is(r.exitCode, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as Doc;
    for (const { name, mode } of c.vipChecks) {
      const check = doc.checks.find((x) => x.name === name);
      const proof = check?.evidence.loadBalancer;
      t.is(check?.status, 'failed', `${name}: ${check?.summary}`);
      t.regex(check?.summary ?? '', /the load balancer did not carry it/, name);
      if (mode === 'fails by itself')
        t.is(proof?.checkOutcome, 'failed', `${name} passed with no load balancer: ${proof?.reason}`);
      else t.like(proof, { checkOutcome: 'passed', failedOn: 'backend' }, `${name}: ${proof?.reason}`);
    }
    t.deepEqual(snapshot(), before);
  });
}
