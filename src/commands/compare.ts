import { existsSync, readFileSync, appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { baselineFromRecord, baselineFile, loadBaseline, saveBaseline } from '../baseline/store.js';
import { baselineAsReference, compareRecord, recordAsReference, type RecordComparison } from '../compare/compare.js';
import { ExitCode, UserError } from '../errors.js';
import { junitXml, type ReportedRun } from '../output/junit.js';
import { markdownSummary } from '../output/markdown.js';
import { paint, table } from '../output/table.js';
import type { RunRecord } from '../results/record.js';
import { readRecords } from '../results/store.js';
import { identityLines } from '../compare/identity.js';
import { formatMeasurement, measurementLabel, signedPct, formatRate } from './run-output.js';

/** A run by id, by file, or the latest of a scenario (or of all). */
export function findRecord(ref: string | undefined, scenario?: string): { file: string; record: RunRecord } {
  if (ref && (ref.endsWith('.json') || ref.includes('/'))) {
    if (!existsSync(ref)) throw new UserError(`no result file ${ref}`);
    try {
      return { file: path.resolve(ref), record: JSON.parse(readFileSync(ref, 'utf8')) as RunRecord };
    } catch (err) {
      throw new UserError(`${ref} is not a zonlab result record: ${(err as Error).message}`);
    }
  }
  const { records } = readRecords(scenario);
  const found = ref ? records.find((r) => r.record.id === ref) : records[records.length - 1];
  if (!found) throw new UserError(ref ? `no run with id ${ref}` : `no recorded run${scenario ? ` of ${scenario}` : ''}`, 2, ['zonlab results lists them']);
  return found;
}

export function compareWithBaseline(r: RunRecord, opts: { maxDrop?: number; force?: boolean }): RecordComparison {
  const b = loadBaseline(r.scenario.name, r.driver.name);
  if (!b) throw new UserError(`no baseline for ${r.scenario.name} with the ${r.driver.name} driver`, 2, [`save one: zonlab baseline save ${r.scenario.name} (from its latest run), then commit ${path.relative(process.cwd(), baselineFile(r.scenario.name, r.driver.name))}`]);
  return compareRecord(r, baselineAsReference(b), opts);
}

/** One table per scenario: check, what, median, spread, vs baseline, verdict; the load balancer on each side. */
export function printComparison(c: RecordComparison, out: (s: string) => void = (s) => process.stdout.write(s)): void {
  if (c.fingerprintDiffs.length) {
    out(`${paint(`warning: ${c.scenario} (${c.driver}) and ${c.against} were measured in different conditions:`, 'yellow')}\n${c.fingerprintDiffs.map((d) => `  ${d.key}: ${d.baseline} → ${d.current}`).join('\n')}\n`);
    if (!c.compared) out('not compared (give --force to compare anyway, or save a new baseline)\n');
  }
  out(identityLines(c.identity).map((l) => `${l}\n`).join(''));
  if (!c.compared) return;
  const color = (v: string) => (v === 'regressed' ? paint(v, 'red') : v === 'improved' ? paint(v, 'green') : v === 'inconclusive' ? paint(v, 'yellow') : v);
  const rows = c.rows.map((r) => [
    r.check,
    measurementLabel(r.measurement),
    formatMeasurement(r.measurement, r.current.median),
    r.current.n > 1 ? `±${formatMeasurement(r.measurement, r.current.mad)} (n=${r.current.n})` : 'n=1',
    `${formatMeasurement(r.measurement, r.baseline.median)} → ${signedPct(r.comparison.ratio)}`,
    color(r.comparison.verdict),
    r.comparison.reason,
  ]);
  out(`${c.scenario} (${c.driver}) vs ${c.against}:\n${rows.length ? table(['check', 'what', 'median', 'spread (MAD)', 'vs baseline', 'verdict', 'why'], rows) : '(no throughput measurement in common)'}\n`);
}

export function verdictExit(c: RecordComparison | undefined): number {
  return c?.worst === 'regressed' ? ExitCode.regressed : ExitCode.passed;
}

/** --junit FILE, --markdown FILE and $GITHUB_STEP_SUMMARY. */
export function writeReports(runs: ReportedRun[], a: { junit?: string; markdown?: string }): void {
  if (a.junit) writeFileSync(a.junit, junitXml(runs));
  const md = a.markdown || process.env.GITHUB_STEP_SUMMARY ? markdownSummary(runs) : undefined;
  if (a.markdown) writeFileSync(a.markdown, md!);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, md!);
}

export function baselineSaveCommand(a: { scenario: string; from?: string; json?: boolean }): number {
  const { file, record } = findRecord(a.from, a.from ? undefined : a.scenario);
  if (record.scenario.name !== a.scenario) throw new UserError(`${file} is a run of ${record.scenario.name}, not ${a.scenario}`);
  if (record.status !== 'passed') throw new UserError(`run ${record.id} did not pass (${record.status}): a baseline must come from a passing run`);
  if (!Object.keys(record.samples ?? {}).length) throw new UserError(`run ${record.id} has no throughput samples`);
  const out = saveBaseline(baselineFromRecord(record));
  const lines = Object.entries(record.stats).filter(([, m]) => m.bits_per_second).map(([c, m]) => `  ${c}: ${formatRate(m.bits_per_second!.median)} (n=${m.bits_per_second!.n})`);
  process.stdout.write(a.json ? `${JSON.stringify({ baseline: out, fromRun: record.id })}\n` : `saved ${out} from run ${record.id} (${record.driver.name})\n${lines.join('\n')}\ncommit it to make it the reference for CI\n`);
  return 0;
}

export function compareCommand(a: { run?: string; against?: string; maxDrop?: number; force?: boolean; json?: boolean; junit?: string; markdown?: string }): number {
  const { record } = findRecord(a.run);
  const c = a.against && a.against !== 'baseline'
    ? compareRecord(record, recordAsReference(findRecord(a.against).record), { maxDrop: a.maxDrop, force: a.force })
    : compareWithBaseline(record, { maxDrop: a.maxDrop, force: a.force });
  writeReports([{ record, comparison: c }], a);
  if (a.json) process.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
  else printComparison(c);
  if (!c.compared) return ExitCode.badInput;
  return verdictExit(c);
}
