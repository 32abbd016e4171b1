import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshot } from '../helpers/audit.js';
import { rootGated } from '../helpers/gated.js';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const scenario = fileURLToPath(new URL('../../../test/fixtures/scenarios/shaped.toml', import.meta.url));
const { integration, title, scratch } = rootGated();

const results = scratch('zonlab-regression-');
const zonlab = (...args: string[]) =>
  execa('node', [cli, ...args], { reject: false, env: { NO_COLOR: '1', ZONLAB_RESULTS: results } });

/** Shaped well below what this machine moves even when busy (11–24 Gbit/s unshaped): the limit, not the machine, sets the figure. */
const RATE_MBIT = 500;

async function measure(
  rate: string,
  ...more: string[]
): Promise<{ id: string; median: number; doc: Record<string, any> }> {
  // samples of a second, as the file's other tests take: past iperf3's warm-up second, tbf holds its rate
  const r = await zonlab(
    'run',
    scenario,
    '--lb',
    'nft',
    '--repeat',
    '5',
    '--json',
    '--set',
    'duration=1',
    '--set',
    `rate=${rate}`,
    ...more,
  );
  if (r.exitCode !== 0) throw new Error(`run failed (${r.exitCode}): ${r.stderr}\n${r.stdout}`);
  const doc = JSON.parse(r.stdout);
  return { id: doc.runId, median: doc.measurements.iperf3.bits_per_second, doc };
}

integration(
  title('a tc rate limit at 70% of a shaped baseline is called regressed, the same limit again is not'),
  async (t) => {
    const before = snapshot();
    const base = await measure(`${RATE_MBIT}mbit`);
    t.log(`baseline median ${(base.median / 1e6).toFixed(0)} Mbit/s`);
    const limited = await measure(`${Math.round(RATE_MBIT * 0.7)}mbit`);
    t.log(`rate-limited median ${(limited.median / 1e6).toFixed(0)} Mbit/s`);
    // the limit changes the scenario's parameters, hence its fingerprint: --force compares anyway
    const refused = await zonlab('compare', limited.id, '--against', base.id, '--json');
    t.is(refused.exitCode, 2, 'different fingerprints are not compared without --force');
    const c = await zonlab('compare', limited.id, '--against', base.id, '--force', '--json');
    t.is(c.exitCode, 3, c.stdout);
    t.is(JSON.parse(c.stdout).worst, 'regressed');

    const again = await measure(`${RATE_MBIT}mbit`);
    t.log(`unchanged re-run median ${(again.median / 1e6).toFixed(0)} Mbit/s`);
    const u = await zonlab('compare', again.id, '--against', base.id, '--json');
    t.is(u.exitCode, 0, u.stdout);
    t.is(JSON.parse(u.stdout).worst, 'unchanged', u.stdout);
    t.deepEqual(snapshot(), before);
  },
);

integration(
  title('run --baseline against a saved baseline writes JUnit and Markdown and exits by the verdict'),
  async (t) => {
    const rate = `rate=${RATE_MBIT}mbit`;
    const first = await zonlab('run', scenario, '--lb', 'nft', '--repeat', '3', '--set', 'duration=1', '--set', rate);
    t.is(first.exitCode, 0, first.stderr);
    const saved = await zonlab('baseline', 'save', 'shaped');
    t.is(saved.exitCode, 0, saved.stderr);
    const junit = path.join(results, 'junit.xml');
    const md = path.join(results, 'summary.md');
    const r = await zonlab(
      'run',
      scenario,
      '--lb',
      'nft',
      '--repeat',
      '3',
      '--set',
      'duration=1',
      '--set',
      rate,
      '--baseline',
      '--junit',
      junit,
      '--markdown',
      md,
    );
    t.is(r.exitCode, 0, `${r.stderr}\n${r.stdout}`);
    const { readFileSync } = await import('node:fs');
    t.regex(
      readFileSync(junit, 'utf8'),
      /<testcase classname="zonlab.shaped.nft" name="throughput iperf3 vs baseline">/,
    );
    t.regex(readFileSync(md, 'utf8'), /\| shaped \| nft \| iperf3 \|/);
  },
);

integration(
  title(
    '--repeat auto against the baseline stops at the first planned look whose verdict is clear and records how many samples it took',
  ),
  async (t) => {
    const rate = `rate=${RATE_MBIT}mbit`;
    const first = await zonlab('run', scenario, '--lb', 'nft', '--repeat', '6', '--set', 'duration=1', '--set', rate);
    t.is(first.exitCode, 0, first.stderr);
    t.is((await zonlab('baseline', 'save', 'shaped')).exitCode, 0);
    const r = await zonlab(
      'run',
      scenario,
      '--lb',
      'nft',
      '--repeat',
      'auto',
      '--max-repeat',
      '12',
      '--budget',
      '120',
      '--set',
      'duration=1',
      '--set',
      rate,
      '--baseline',
      '--json',
    );
    t.is(r.exitCode, 0, `${r.stderr}\n${r.stdout.slice(0, 2000)}`);
    const doc = JSON.parse(r.stdout);
    const auto = doc.repeat.auto.checks.iperf3;
    t.log(
      `--repeat auto took ${auto.samples} samples (${auto.stoppedBy}): ${doc.comparison.rows[0].comparison.reason}`,
    );
    t.is(auto.stoppedBy, 'conclusive');
    t.true([5, 7, 10, 12].includes(auto.samples), `${auto.samples}: it stops only at the planned looks`);
    t.is(doc.checks.filter((c: { name: string }) => c.name === 'iperf3').length, auto.samples);
    t.is(doc.comparison.worst, 'unchanged');
  },
);

integration(title('run --baseline without --repeat samples as --repeat auto does, and says so'), async (t) => {
  const rate = `rate=${RATE_MBIT}mbit`;
  const first = await zonlab('run', scenario, '--lb', 'nft', '--repeat', '5', '--set', 'duration=1', '--set', rate);
  t.is(first.exitCode, 0, first.stderr);
  t.is((await zonlab('baseline', 'save', 'shaped')).exitCode, 0);
  const r = await zonlab(
    'run',
    scenario,
    '--lb',
    'nft',
    '--max-repeat',
    '7',
    '--set',
    'duration=1',
    '--set',
    rate,
    '--baseline',
  );
  t.is(r.exitCode, 0, `${r.stderr}\n${r.stdout}`);
  t.regex(
    r.stderr,
    /--baseline without --repeat: sampling each throughput check as --repeat auto does \(at most 7 samples/,
  );
  t.regex(r.stdout, /iperf3: --repeat auto took [57] sample\(s\) \(at most 7\), stopped: (conclusive|max)/);
  t.notRegex(r.stdout, /too few to tell/);
});
