import { formatRate } from '../commands/run-output.js';
import type { ReportedRun } from './junit.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A summary table for a CI page (GitHub renders it from $GITHUB_STEP_SUMMARY). */
export function markdownSummary(runs: ReportedRun[]): string {
  const lines = ['## zonlab', '', '| scenario | driver | check | status | median | spread (MAD) | vs baseline | verdict |', '|---|---|---|---|---|---|---|---|'];
  for (const { record: r, comparison, baseline } of runs) {
    for (const name of [...new Set(r.checks.map((c) => c.name))]) {
      const failed = r.checks.some((c) => c.name === name && c.repetition !== 0 && c.status === 'failed');
      const st = r.stats[name]?.bits_per_second;
      const row = comparison?.rows.find((x) => x.check === name);
      lines.push(`| ${cell(r.scenario.name)} | ${cell(r.driver.name)} | ${cell(name)} | ${failed ? '❌ failed' : '✅ passed'} | ${st ? formatRate(st.median) : '-'} | ${st && st.n > 1 ? formatRate(st.mad) : '-'} | ${row ? `${((row.comparison.ratio - 1) * 100).toFixed(1)}%` : '-'} | ${row ? VERDICT[row.comparison.verdict] : '-'} |`);
    }
    if (r.status === 'error') lines.push(`| ${cell(r.scenario.name)} | ${cell(r.driver.name)} | lab | ❌ error | | | | ${cell(r.error?.split('\n')[0] ?? '')} |`);
    if (baseline === 'missing') lines.push(`| ${cell(r.scenario.name)} | ${cell(r.driver.name)} | | | | | ⚠️ no baseline yet | zonlab baseline save --all --from DIR (the run records) |`);
    if (comparison && !comparison.compared) lines.push(`| ${cell(r.scenario.name)} | ${cell(r.driver.name)} | | | | | not compared | ${cell(comparison.fingerprintDiffs.map((d) => d.key).join(', '))} differ |`);
  }
  return `${lines.join('\n')}\n`;
}

const VERDICT: Record<string, string> = { regressed: '🔻 regressed', improved: '🔺 improved', unchanged: 'unchanged', inconclusive: '❔ inconclusive' };
