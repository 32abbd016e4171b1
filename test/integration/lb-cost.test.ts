import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshot } from '../helpers/audit.js';
import { statsAreOn, statsHolders, statsSysctl } from '../helpers/bpf-stats.js';
import { busyBuildSkipReason, buildBusyObject } from '../helpers/busy-build.js';
import { gated } from '../helpers/gated.js';

/**
 * Statistics as they were before the run: this run's processes hold no BPF_ENABLE_STATS fd, the
 * machine's own setting (the sysctl) is as the run found it, and when no other process holds an fd
 * (another zonlab user's run, or another test file's beside this one, turns them on for its own
 * checks) they are on only as that setting says. The setting, not whether they were on when the run
 * began: another's fd open then may be closed by now.
 */
function statsAsBefore(t: ExecutionContext, setting: boolean): void {
  const { ours, others } = statsHolders();
  t.deepEqual(ours, [], 'no process of this run holds statistics on');
  t.is(statsSysctl(), setting, 'kernel.bpf_stats_enabled as the run found it');
  const on = statsAreOn();
  // and whoever opened one while the probe ran
  const holders = [...new Set([...others, ...statsHolders().others])];
  if (holders.length)
    t.log(`another process holds BPF statistics on (pids ${holders.join(', ')}): the machine-wide state is theirs`);
  else t.is(on, setting);
}

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const { skip, integration, title, scratch } = gated(busyBuildSkipReason());

const results = scratch('zonlab-cost-');
/** A project root whose bpf/zonlb_xdp.o is the slower build; everything else is the real project's. */
const slowHome = path.join(results, 'slow-home');

test.before(() => {
  if (skip) return;
  mkdirSync(path.join(slowHome, 'bpf'), { recursive: true });
  for (const f of ['package.json', 'scenarios', 'lab']) symlinkSync(path.join(root, f), path.join(slowHome, f));
  for (const f of readdirSync(path.join(root, 'bpf')).filter((f) => /\.[ch]$/.test(f) || f === 'xdp_pass.o'))
    symlinkSync(path.join(root, 'bpf', f), path.join(slowHome, 'bpf', f));
  // 64 empty bpf_loop rounds before each map lookup: several times the work per packet, same driver.
  // Two runs compared through a stored baseline are not paired, so the step must dwarf their noise:
  // with 16 rounds (+60% to +130%) a run beside other work once gave +17% … +121%, inconclusive at 20%
  buildBusyObject(path.join(slowHome, 'bpf', 'zonlb_xdp.o'), 64);
});

const zonlab = (args: string[], env: Record<string, string> = {}) =>
  execa('node', [cli, ...args], { reject: false, env: { NO_COLOR: '1', ZONLAB_RESULTS: results, ...env } });

interface Doc {
  runId: string;
  measurements: Record<string, Record<string, number>>;
  lbCost: {
    programs: { name: string; tag: string; interfaces: string[] }[];
    samples: { check: string; programs: Record<string, { runs: number }> }[];
    unavailable?: string;
  };
}

async function measure(env: Record<string, string> = {}): Promise<Doc> {
  const r = await zonlab(
    ['run', 'lb-bench', '--lb', 'embedded', '--repeat', '5', '--json', '--set', 'duration=1'],
    env,
  );
  if (r.exitCode !== 0) throw new Error(`run failed (${r.exitCode}): ${r.stderr}\n${r.stdout.slice(0, 2000)}`);
  return JSON.parse(r.stdout) as Doc;
}

let plain: Promise<Doc> | undefined;
const firstPlain = () => (plain ??= measure());

integration(
  title(
    "each throughput sample records the load balancer's cost per packet and its program's identity (zonlb_tc_fwd on lb-bench); statistics are off after the run",
  ),
  async (t) => {
    const before = snapshot();
    const setting = statsSysctl();
    const doc = await firstPlain();
    t.is(doc.lbCost.unavailable, undefined);
    t.deepEqual(
      doc.lbCost.programs.map((p) => p.name),
      ['zonlb_tc_fwd'],
      'the load balancer, not a helper',
    );
    t.true(doc.lbCost.programs[0]!.interfaces.includes('veth0@default'));
    t.regex(doc.lbCost.programs[0]!.tag, /^[0-9a-f]{16}$/);
    t.is(doc.lbCost.samples.length, 5);
    for (const s of doc.lbCost.samples)
      t.true(
        Object.values(s.programs).every((p) => p.runs > 1000),
        JSON.stringify(s),
      );
    const ns = doc.measurements.iperf3!.lb_ns_per_packet!;
    t.log(
      `median ${ns.toFixed(0)} ns per packet, ${(doc.measurements.iperf3!.bits_per_second! / 1e9).toFixed(2)} Gbit/s`,
    );
    t.true(ns > 0 && ns < 1e6);
    statsAsBefore(t, setting);
    t.deepEqual(snapshot(), before);
  },
);

integration(
  title(
    'a build that does more work per packet is called regressed on cost (its identity shown, no --force); a second run of the same build is not',
  ),
  async (t) => {
    const base = await firstPlain();
    const slow = await measure({ ZONLAB_HOME: slowHome });
    const again = await measure();
    const cost = (doc: { rows: { measurement: string; comparison: { verdict: string; reason: string } }[] }) =>
      doc.rows.find((r) => r.measurement === 'lb_ns_per_packet')!.comparison;

    // on this shared machine runs a minute apart differed by up to 20% in cost: judge at 20%, and
    // let the slower build do several times the work, far beyond any noise
    const judge = (run: Doc) => zonlab(['compare', run.runId, '--against', base.runId, '--max-drop', '0.2', '--json']);
    const c = await judge(slow);
    const slower = JSON.parse(c.stdout);
    t.log(`slower build: ${cost(slower).reason}`);
    t.true(slower.compared, 'a different build of the load balancer is compared, not refused');
    t.false(slower.identity.same);
    t.not(slower.identity.baseline.programs[0].tag, slower.identity.current.programs[0].tag);
    t.is(cost(slower).verdict, 'regressed');
    t.is(c.exitCode, 3);

    const u = await judge(again);
    const same = JSON.parse(u.stdout);
    t.log(`same build: ${cost(same).reason}`);
    t.true(same.identity.same);
    t.not(cost(same).verdict, 'regressed');
  },
);

integration(
  title('a run killed by SIGKILL during a throughput check leaves BPF statistics off and nothing behind'),
  async (t) => {
    const before = snapshot();
    const setting = statsSysctl();
    const run = execa('node', [cli, 'run', 'lb-bench', '--lb', 'embedded', '--set', 'duration=30'], {
      reject: false,
      env: { NO_COLOR: '1', ZONLAB_RESULTS: results },
    });
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      run.stderr!.on('data', (d: Buffer) => {
        seen += d.toString();
        if (/BPF run-time statistics on/.test(seen) && /check iperf3/.test(seen)) resolve();
      });
      void run.then(() => reject(new Error(`the run ended first:\n${seen}`)));
    });
    t.true(statsAreOn(), 'on during the check');
    run.kill('SIGKILL');
    await run;
    // the kernel reclaims the sandbox and closes its fds as its processes die: wait for it
    const deadline = Date.now() + 30_000;
    const settled = () => statsHolders().others.length > 0 || statsAreOn() === setting;
    while ((!settled() || JSON.stringify(snapshot()) !== JSON.stringify(before)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    statsAsBefore(t, setting);
    t.deepEqual(snapshot(), before);
  },
);
