import type { RunRecord } from '../results/record.js';
import { paint, table } from '../output/table.js';

export function formatRate(bps: number | undefined): string {
  if (bps === undefined || !Number.isFinite(bps)) return '-';
  if (bps >= 1e9) return `${(bps / 1e9).toFixed(2)} Gbit/s`;
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} Mbit/s`;
  return `${(bps / 1e3).toFixed(0)} kbit/s`;
}

export function printRunSummary(r: RunRecord, file?: string): void {
  const rows = r.checks.map((c) => [
    c.name, c.kind,
    c.status === 'passed' ? paint('PASS', 'green') : paint('FAIL', 'red'),
    formatRate(c.measurements?.bits_per_second),
    c.summary,
  ]);
  const out = [
    `${r.scenario.name}: ${statusText(r.status)} (driver ${r.driver.name} ${r.driver.version}, ${r.mode}, ${(r.durationMs / 1000).toFixed(1)} s)`,
    rows.length ? table(['check', 'kind', 'status', 'throughput', 'evidence'], rows) : '(no check ran)',
  ];
  if (r.error) out.push(paint(`error: ${r.error}`, 'red'));
  for (const f of r.teardown.failures) out.push(paint(`teardown: ${f}`, 'red'));
  if (file) out.push(`record: ${file}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

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
    teardown: r.teardown,
    resultFile: file,
    runId: r.id,
    durationMs: r.durationMs,
  };
}
