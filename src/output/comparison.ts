import path from 'node:path';
import { baselinesDir } from '../baseline/store.js';
import type { RecordComparison } from '../compare/compare.js';
import type { RunRecord } from '../results/record.js';
import { identityLines } from '../results/identity.js';
import { formatMeasurement, measurementLabel, signedPct } from './format.js';
import { paint, table } from './table.js';

/**
 * Said loudly, on stderr and as a CI annotation, when --baseline found nothing to compare with: the
 * first run of a fresh checkout or fork. Its records are what a baseline is made from.
 */
export function printNoBaseline(runs: RunRecord[], out: (s: string) => void = (s) => process.stderr.write(s)): void {
  if (!runs.length) return;
  const which = runs.map((r) => `${r.scenario.name} (${r.driver.name})`).join(', ');
  const lines = [
    paint(
      `NO BASELINE YET for ${which}: nothing was compared (not a failure; a regression cannot be seen until a baseline is saved)`,
      'yellow',
    ),
    `  make ${runs.length === 1 ? 'this run' : 'these runs'} the baseline: ${runs.length === 1 ? `zonlab baseline save ${runs[0]!.scenario.name} --from ${runs[0]!.id}` : 'zonlab baseline save --all'}`,
    `  (from a CI artifact: zonlab baseline save --all --from DIR), then commit ${path.relative(process.cwd(), baselinesDir()) || baselinesDir()}/`,
  ];
  out(`${lines.join('\n')}\n`);
  if (process.env.GITHUB_ACTIONS === 'true')
    out(
      `::warning title=zonlab: no baseline yet::${which}: nothing was compared. Save the run records as baselines (zonlab baseline save --all --from DIR) and commit results/baselines/\n`,
    );
}

/** One table per scenario: check, what, median, spread, vs baseline, verdict; the load balancer on each side. */
export function printComparison(c: RecordComparison, out: (s: string) => void = (s) => process.stdout.write(s)): void {
  if (c.fingerprintDiffs.length) {
    out(
      `${paint(`warning: ${c.scenario} (${c.driver}) and ${c.against} were measured in different conditions:`, 'yellow')}\n${c.fingerprintDiffs.map((d) => `  ${d.key}: ${d.baseline} → ${d.current}`).join('\n')}\n`,
    );
    if (!c.compared) out('not compared (give --force to compare anyway, or save a new baseline)\n');
  }
  out(
    identityLines(c.identity)
      .map((l) => `${l}\n`)
      .join(''),
  );
  if (c.notes?.length)
    out(
      `measured with (shown, not compared): ${c.notes.map((d) => `${d.key} ${d.baseline} → ${d.current}`).join('; ')}\n`,
    );
  if (!c.compared) return;
  const color = (v: string) =>
    v === 'regressed'
      ? paint(v, 'red')
      : v === 'improved'
        ? paint(v, 'green')
        : v === 'inconclusive'
          ? paint(v, 'yellow')
          : v;
  const rows = c.rows.map((r) => [
    r.check,
    measurementLabel(r.measurement),
    formatMeasurement(r.measurement, r.current.median),
    r.current.n > 1 ? `±${formatMeasurement(r.measurement, r.current.mad)} (n=${r.current.n})` : 'n=1',
    `${formatMeasurement(r.measurement, r.baseline.median)} → ${signedPct(r.comparison.ratio)}`,
    color(r.comparison.verdict),
    r.comparison.reason,
  ]);
  out(
    `${c.scenario} (${c.driver}) vs ${c.against}:\n${rows.length ? table(['check', 'what', 'median', 'spread (MAD)', 'vs baseline', 'verdict', 'why'], rows) : '(no throughput measurement in common)'}\n`,
  );
}
