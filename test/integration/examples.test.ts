import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { preflight } from '../../src/commands/preflight.js';
import { MissingRequirement } from '../../src/errors.js';
import { listScenarioFiles, loadScenario } from '../../src/scenario/load.js';
import { rootSkipReason, snapshot, subScope } from '../helpers/audit.js';
import { gated } from '../helpers/gated.js';
import { slots } from '../../src/slots.js';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const zonlab = (...args: string[]) => execa('node', [cli, ...args], { reject: false, env: { NO_COLOR: '1' } });
const rootReason = rootSkipReason();

/** Every shipped scenario with each driver: its requirements decide run or skip, before any test runs. */
const cases = await Promise.all(
  listScenarioFiles().flatMap((file) =>
    (['embedded', 'nft'] as const).map(async (lb) => {
      const name = path.basename(file, '.toml');
      if (rootReason) return { name, lb, skip: rootReason };
      const s = loadScenario(file);
      try {
        await preflight(s, { lb, host: false, json: true, verbose: false, set: [] });
        return { name, lb, skip: undefined, hasDuration: 'duration' in s.params };
      } catch (err) {
        if (err instanceof MissingRequirement) return { name, lb, skip: err.reasons.join('; ') };
        throw err;
      }
    }),
  ),
);

// two runs at a time, each in an audit scope of its own (every run is sandboxed): a run waits on
// its servers, clients and teardown as much as it computes
const inSlot = slots(2);

for (const c of cases) {
  // what this machine lacks for the scenario (root, a tool, a kernel feature) is a skip with its reason
  const example = gated(c.skip && (c.skip.length > 300 ? `${c.skip.slice(0, 300)}…` : c.skip));
  example.concurrent(
    example.title(`example ${c.name} passes with the ${c.lb} driver and leaves nothing behind`),
    async (t) => {
      t.timeout(30 * 60_000, "after the other examples' turns");
      const scope = subScope(`${c.name}-${c.lb}`);
      await inSlot(async () => {
        const before = scope.snapshot();
        const r = await execa(
          'node',
          [cli, 'run', c.name, '--lb', c.lb, '--json', ...(c.hasDuration ? ['--set', 'duration=1'] : [])],
          { reject: false, env: { NO_COLOR: '1', ...scope.env } },
        );
        t.is(r.exitCode, 0, `${r.stderr}\n${r.stdout.slice(0, 4000)}`);
        const doc = JSON.parse(r.stdout);
        t.is(doc.status, 'passed');
        t.true(doc.checks.length > 0);
        t.deepEqual(scope.snapshot(), before);
      });
    },
  );
}

const { integration: root, title } = gated(rootReason);

root(title('a scenario whose requirements are not met is skipped (exit 4) and creates nothing'), async (t) => {
  const before = snapshot();
  // DSR cannot be done with NAT: the nft driver says so, naming the option and the file
  const r = await zonlab('run', 'dsr-l2', '--lb', 'nft');
  t.is(r.exitCode, 4);
  t.regex(r.stderr, /the nft driver cannot do dsr_l2 \(backends? [0-9_, ]+ in .*dsr-l2\.zonlb\.toml\)/);
  // a missing tool: PATH without iperf3's directory
  const noTools = await execa(process.execPath, [cli, 'run', 'veth-netns', '--lb', 'nft'], {
    reject: false,
    env: { PATH: '/nonexistent', NO_COLOR: '1' },
    extendEnv: true,
  });
  t.is(noTools.exitCode, 4);
  t.regex(noTools.stderr, /missing tools: .*iperf3/);
  t.deepEqual(snapshot(), before);
});

root(title('doctor probes every kernel feature in throwaway namespaces and leaves nothing behind'), async (t) => {
  const before = snapshot();
  const r = await zonlab('doctor', '--json');
  t.is(r.exitCode, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    features: { feature: string; ok: boolean; detail: string }[];
    tools: { name: string; path?: string }[];
    root: boolean;
  };
  t.true(doc.root);
  const byName = Object.fromEntries(doc.features.map((f) => [f.feature, f]));
  t.true(byName['netns-veth']!.ok, 'a lab machine has namespaces and veths');
  for (const f of doc.features) t.true(typeof f.ok === 'boolean' && f.detail.length > 0, f.feature);
  // the probe and a scenario that needs the feature agree
  const vlan = await zonlab('run', 'vlan-netns-bridge', '--lb', 'nft');
  t.is(vlan.exitCode === 4 && /802\.1Q/.test(vlan.stderr), !byName.vlan!.ok);
  t.true(doc.tools.some((x) => x.name === 'ip' && x.path));
  t.deepEqual(snapshot(), before);
});
