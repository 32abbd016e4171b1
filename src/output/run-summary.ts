import { COST_MEASUREMENT, describeProgram, formatNs } from '../bpfstats/cost.js';
import type { RunRecord } from '../results/record.js';
import { formatRate } from '../rate.js';
import { paint, table } from './table.js';

export function printRunSummary(r: RunRecord, file?: string): void {
  const costed = r.checks.some((c) => c.measurements?.[COST_MEASUREMENT] !== undefined);
  const rows = r.checks.map((c) => [
    checkLabel(c),
    c.kind,
    c.status === 'passed' ? paint('PASS', 'green') : paint('FAIL', 'red'),
    formatRate(c.measurements?.bits_per_second),
    ...(costed ? [formatNs(c.measurements?.[COST_MEASUREMENT])] : []),
    c.summary,
  ]);
  const out = [
    `${r.scenario.name}: ${statusText(r.status)} (driver ${r.driver.name} ${r.driver.version}, ${r.mode}, ${(r.durationMs / 1000).toFixed(1)} s)`,
    rows.length
      ? table(['check', 'kind', 'status', 'throughput', ...(costed ? ['LB ns/packet'] : []), 'evidence'], rows)
      : '(no check ran)',
    ...costLines(r),
    ...autoLines(r),
  ];
  if (r.error) out.push(paint(`error: ${r.error}`, 'red'));
  for (const f of r.teardown.failures) out.push(paint(`teardown: ${f}`, 'red'));
  if (file) out.push(`record: ${file}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

/** A check's name in the run's table: the --warmup run is marked, for it is not counted. */
export function checkLabel(c: RunRecord['checks'][number]): string {
  return c.repetition === 0 ? `${c.name} (warm-up, not counted)` : c.name;
}

/** The programs measured and the spread of each check's samples, or why nothing was measured. */
function costLines(r: RunRecord): string[] {
  const c = r.lbCost;
  if (!c) return [];
  if (c.unavailable) return [`load balancer cost: not measured (${c.unavailable})`];
  const lines = c.programs.map((p) => `load balancer program: ${describeProgram(p)}`);
  for (const [check, ms] of Object.entries(r.stats)) {
    const cost = ms[COST_MEASUREMENT];
    const bps = ms.bits_per_second;
    if (cost && cost.n > 1)
      lines.push(
        `${check}: ${formatNs(cost.median)}/packet ±${formatNs(cost.mad)} (MAD, ${pctOf(cost.mad, cost.median)}), throughput ${formatRate(bps?.median)} ±${formatRate(bps?.mad)} (${pctOf(bps?.mad, bps?.median)}), n=${cost.n}`,
      );
  }
  return lines;
}

function autoLines(r: RunRecord): string[] {
  return Object.entries(r.repeat.auto?.checks ?? {}).map(
    ([check, a]) =>
      `${check}: --repeat auto took ${a.samples} sample(s) (at most ${r.repeat.auto!.max}), stopped: ${a.stoppedBy}`,
  );
}

const pctOf = (x: number | undefined, of: number | undefined) =>
  x === undefined || !of ? '-' : `${((x / of) * 100).toFixed(1)}%`;

function statusText(s: RunRecord['status']): string {
  if (s === 'passed') return paint('PASSED', 'green');
  if (s === 'interrupted') return paint('INTERRUPTED', 'yellow');
  return paint(s.toUpperCase(), 'red');
}

/** The --json document: what a CI script needs without reading the record file. */
export function runJson(r: RunRecord, file?: string) {
  return {
    scenario: r.scenario.name,
    driver: r.driver,
    status: r.status,
    error: r.error,
    checks: r.checks,
    measurements: r.measurements,
    counters: r.counters,
    lbCost: r.lbCost,
    repeat: r.repeat,
    teardown: r.teardown,
    resultFile: file,
    runId: r.id,
    durationMs: r.durationMs,
  };
}
