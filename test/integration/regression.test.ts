import test from 'ava';
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootSkipReason, snapshot } from '../helpers/audit.js';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const scenario = fileURLToPath(new URL('../../../test/fixtures/scenarios/shaped.toml', import.meta.url));
const skip = rootSkipReason();
const integration = skip ? test.skip : test.serial;
const title = (t: string) => (skip ? `${t} [skipped: ${skip}]` : t);

const results = mkdtempSync(path.join(tmpdir(), 'zonlab-regression-'));
test.after.always(() => rmSync(results, { recursive: true, force: true }));
const zonlab = (...args: string[]) => execa('node', [cli, ...args], { reject: false, env: { NO_COLOR: '1', ZONLAB_RESULTS: results } });

async function measure(rate: string): Promise<{ id: string; median: number }> {
  const r = await zonlab('run', scenario, '--lb', 'nft', '--repeat', '5', '--json', '--set', `rate=${rate}`);
  if (r.exitCode !== 0) throw new Error(`run failed (${r.exitCode}): ${r.stderr}\n${r.stdout}`);
  const doc = JSON.parse(r.stdout);
  return { id: doc.runId, median: doc.measurements.iperf3.bits_per_second };
}

integration(title('a tc rate limit at 70% of the measured throughput is called regressed, an unchanged re-run is not'), async (t) => {
  const before = snapshot();
  const base = await measure('400gbit');
  t.log(`baseline median ${(base.median / 1e9).toFixed(2)} Gbit/s`);
  const limited = await measure(`${Math.round((base.median * 0.7) / 1e6)}mbit`);
  t.log(`rate-limited median ${(limited.median / 1e9).toFixed(2)} Gbit/s`);
  // the limit changes the scenario's parameters, hence its fingerprint: --force compares anyway
  const refused = await zonlab('compare', limited.id, '--against', base.id, '--json');
  t.is(refused.exitCode, 2, 'different fingerprints are not compared without --force');
  const c = await zonlab('compare', limited.id, '--against', base.id, '--force', '--json');
  t.is(c.exitCode, 3, c.stdout);
  t.is(JSON.parse(c.stdout).worst, 'regressed');

  const again = await measure('400gbit');
  t.log(`unchanged re-run median ${(again.median / 1e9).toFixed(2)} Gbit/s`);
  const u = await zonlab('compare', again.id, '--against', base.id, '--json');
  const verdict = JSON.parse(u.stdout).worst;
  t.not(verdict, 'regressed', u.stdout);
  t.is(u.exitCode, 0);
  t.deepEqual(snapshot(), before);
});

integration(title('run --baseline against a saved baseline writes JUnit and Markdown and exits by the verdict'), async (t) => {
  const first = await zonlab('run', scenario, '--lb', 'nft', '--repeat', '3', '--set', 'duration=1');
  t.is(first.exitCode, 0, first.stderr);
  const saved = await zonlab('baseline', 'save', 'shaped');
  t.is(saved.exitCode, 0, saved.stderr);
  const junit = path.join(results, 'junit.xml');
  const md = path.join(results, 'summary.md');
  const r = await zonlab('run', scenario, '--lb', 'nft', '--repeat', '3', '--set', 'duration=1', '--baseline', '--junit', junit, '--markdown', md);
  t.true([0, 3].includes(r.exitCode!), r.stderr);
  const { readFileSync } = await import('node:fs');
  t.regex(readFileSync(junit, 'utf8'), /<testcase classname="zonlab.shaped.nft" name="throughput iperf3 vs baseline">/);
  t.regex(readFileSync(md, 'utf8'), /\| shaped \| nft \| iperf3 \|/);
});
