import { identityLines } from '../results/identity.js';
import { formatMeasurement, measurementLabel, signedPct } from './format.js';
import { JUDGED } from '../stats/judged.js';
import type { ReportedRun } from './junit.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A summary table for a CI page (GitHub renders it from $GITHUB_STEP_SUMMARY); the load balancer compared below it. */
export function markdownSummary(runs: ReportedRun[]): string {
  const lines = [
    '## zonlab',
    '',
    '| scenario | driver | check | status | median | spread (MAD) | vs baseline | verdict |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const notes: string[] = [];
  for (const { record: r, comparison, baseline } of runs) {
    const who = `| ${cell(r.scenario.name)} | ${cell(r.driver.name)} |`;
    for (const name of [...new Set(r.checks.map((c) => c.name))]) {
      const failed = r.checks.some((c) => c.name === name && c.repetition !== 0 && c.status === 'failed');
      const judged = Object.keys(JUDGED).filter((m) => r.stats[name]?.[m]);
      for (const m of judged.length ? judged : ['bits_per_second']) {
        const st = r.stats[name]?.[m];
        const row = comparison?.rows.find((x) => x.check === name && x.measurement === m);
        const check = m === 'bits_per_second' ? name : `${name} · ${measurementLabel(m)}`;
        // every row of a check has its status, its cost rows too
        const status = failed ? '❌ failed' : '✅ passed';
        lines.push(
          `${who} ${cell(check)} | ${status} | ${st ? formatMeasurement(m, st.median) : '-'} | ${st && st.n > 1 ? formatMeasurement(m, st.mad) : '-'} | ${row ? signedPct(row.comparison.ratio) : '-'} | ${row ? VERDICT[row.comparison.verdict] : '-'} |`,
        );
      }
    }
    if (r.status === 'error') lines.push(`${who} lab | ❌ error | | | | ${cell(r.error?.split('\n')[0] ?? '')} |`);
    if (baseline === 'missing')
      lines.push(`${who} | | | | ⚠️ no baseline yet | zonlab baseline save --all --from DIR (the run records) |`);
    if (comparison && !comparison.compared)
      lines.push(
        `${who} | | | | not compared | ${cell(comparison.fingerprintDiffs.map((d) => d.key).join(', '))} differ |`,
      );
    if (comparison)
      notes.push(
        `- ${r.scenario.name} (${r.driver.name}) vs ${comparison.against}: ${identityLines(comparison.identity).join('; ')}${comparison.notes?.length ? `; measured with (not compared): ${comparison.notes.map((d) => `${d.key} ${d.baseline} → ${d.current}`).join(', ')}` : ''}`,
      );
  }
  lines.splice(1, 0, '', overallLine(runs));
  return `${[...lines, ...(notes.length ? ['', ...notes] : [])].join('\n')}\n`;
}

/** The verdict over every run, first, so that a reader needs no table to know it. */
export function overallLine(runs: ReportedRun[]): string {
  const failed = runs.filter(
    ({ record: r }) => r.status !== 'passed' || r.checks.some((c) => c.repetition !== 0 && c.status === 'failed'),
  ).length;
  const regressed = runs.filter(({ comparison }) => comparison?.worst === 'regressed').length;
  const inconclusive = runs.filter(({ comparison }) => comparison?.worst === 'inconclusive').length;
  const missing = runs.filter(({ baseline }) => baseline === 'missing').length;
  const notCompared = runs.filter(({ comparison }) => comparison && !comparison.compared).length;
  const verdict = failed ? '❌ failed' : regressed ? '🔻 regressed' : '✅ passed';
  const parts = [
    `${runs.length} run${runs.length === 1 ? '' : 's'}`,
    failed && `${failed} failed`,
    regressed && `${regressed} regressed`,
    inconclusive && `${inconclusive} inconclusive`,
    missing && `${missing} without a baseline`,
    notCompared && `${notCompared} not compared`,
  ].filter(Boolean);
  return `**Overall: ${verdict}** (${parts.join(', ')})`;
}

const VERDICT: Record<string, string> = {
  regressed: '🔻 regressed',
  improved: '🔺 improved',
  unchanged: 'unchanged',
  inconclusive: '❔ inconclusive',
};
