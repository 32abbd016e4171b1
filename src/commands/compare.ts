import { existsSync, appendFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { baselineFromRecord, baselineFile, baselinesDir, loadBaseline, saveBaseline } from '../baseline/store.js';
import { baselineAsReference, compareRecord, recordAsReference, type RecordComparison } from '../compare/compare.js';
import { ExitCode, UserError, worstExit } from '../errors.js';
import { readJsonCapped } from '../files.js';
import { junitXml, type NotRun, type ReportedRun } from '../output/junit.js';
import { markdownSummary } from '../output/markdown.js';
import { paint, table } from '../output/table.js';
import type { RunRecord } from '../results/record.js';
import { readRecords } from '../results/store.js';
import { resultsDir } from '../paths.js';
import { identityLines } from '../compare/identity.js';
import { formatMeasurement, measurementLabel, signedPct, formatRate } from './run-output.js';

/** A run by id, by file, or the latest of a scenario (or of all). */
export function findRecord(ref: string | undefined, scenario?: string): { file: string; record: RunRecord } {
  if (ref && (ref.endsWith('.json') || ref.includes('/'))) {
    if (!existsSync(ref)) throw new UserError(`no result file ${ref}`);
    return { file: path.resolve(ref), record: readJsonCapped<RunRecord>(ref, 'a zonlab result record') };
  }
  const { records } = readRecords(scenario);
  const found = ref ? records.find((r) => r.record.id === ref) : records[records.length - 1];
  if (!found) throw new UserError(ref ? `no run with id ${ref}` : `no recorded run${scenario ? ` of ${scenario}` : ''}`, 2, ['zonlab results lists them']);
  return found;
}

export function compareWithBaseline(r: RunRecord, opts: { maxDrop?: number; force?: boolean }): RecordComparison {
  const c = compareWithStoredBaseline(r, opts);
  if (!c) throw new UserError(`no baseline for ${r.scenario.name} with the ${r.driver.name} driver`, 2, [saveHint(r)]);
  return c;
}

/** --baseline of `run` and `results merge`: undefined when no baseline is stored yet (a notice, not an error). */
export function compareWithStoredBaseline(r: RunRecord, opts: { maxDrop?: number; force?: boolean }, dirs: string[] = [resultsDir()]): RecordComparison | undefined {
  const b = dirs.map((d) => loadBaseline(r.scenario.name, r.driver.name, d)).find((x) => x);
  if (!b) return undefined;
  return compareRecord(r, baselineAsReference(b), opts);
}

function saveHint(r: RunRecord): string {
  return `save one: zonlab baseline save ${r.scenario.name} --from ${r.id} (or --all), then commit ${path.relative(process.cwd(), baselineFile(r.scenario.name, r.driver.name)) || baselineFile(r.scenario.name, r.driver.name)}`;
}

/**
 * Said loudly, on stderr and as a CI annotation, when --baseline found nothing to compare with: the
 * first run of a fresh checkout or fork. Its records are what a baseline is made from.
 */
export function printNoBaseline(runs: RunRecord[], out: (s: string) => void = (s) => process.stderr.write(s)): void {
  if (!runs.length) return;
  const which = runs.map((r) => `${r.scenario.name} (${r.driver.name})`).join(', ');
  const lines = [
    paint(`NO BASELINE YET for ${which}: nothing was compared (not a failure; a regression cannot be seen until a baseline is saved)`, 'yellow'),
    `  make ${runs.length === 1 ? 'this run' : 'these runs'} the baseline: ${runs.length === 1 ? `zonlab baseline save ${runs[0]!.scenario.name} --from ${runs[0]!.id}` : 'zonlab baseline save --all'}`,
    `  (from a CI artifact: zonlab baseline save --all --from DIR), then commit ${path.relative(process.cwd(), baselinesDir()) || baselinesDir()}/`,
  ];
  out(`${lines.join('\n')}\n`);
  if (process.env.GITHUB_ACTIONS === 'true') out(`::warning title=zonlab: no baseline yet::${which}: nothing was compared. Save the run records as baselines (zonlab baseline save --all --from DIR) and commit results/baselines/\n`);
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
  if (c && !c.compared) return ExitCode.badInput;
  return c?.worst === 'regressed' ? ExitCode.regressed : ExitCode.passed;
}

/**
 * A recorded run's exit code, from its record and its comparison: the worst of its outcomes
 * (src/errors.ts). An interrupted run counts as failed here; `run` itself exits 128 + the signal.
 */
export function recordExit(r: RunRecord, c: RecordComparison | undefined): number {
  const status = r.status === 'passed' ? ExitCode.passed : ExitCode.checkFailed;
  return worstExit([status, r.teardown.failures.length ? ExitCode.teardownFailed : ExitCode.passed, verdictExit(c)]);
}

/** --junit FILE, --markdown FILE and $GITHUB_STEP_SUMMARY (their paths were checked before the run). */
export function writeReports(runs: ReportedRun[], a: { junit?: string; markdown?: string }, notRun: NotRun[] = []): void {
  for (const f of [a.junit, a.markdown]) if (f) mkdirSync(path.dirname(path.resolve(f)), { recursive: true });
  if (a.junit) writeFileSync(a.junit, junitXml(runs, notRun));
  const md = a.markdown || process.env.GITHUB_STEP_SUMMARY ? markdownSummary(runs) : undefined;
  if (a.markdown) writeFileSync(a.markdown, md!);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, md!);
}

export function baselineSaveCommand(a: { scenario?: string; all?: boolean; from?: string; json?: boolean }): number {
  if (a.all) return saveAllBaselines(a);
  const scenario = a.scenario!;
  const { file, record } = findRecord(a.from, a.from ? undefined : scenario);
  if (record.scenario.name !== scenario) throw new UserError(`${file} is a run of ${record.scenario.name}, not ${scenario}`);
  if (record.status !== 'passed') throw new UserError(`run ${record.id} did not pass (${record.status}): a baseline must come from a passing run`);
  if (!Object.keys(record.samples ?? {}).length) throw new UserError(`run ${record.id} has no throughput samples`);
  const out = saveBaseline(baselineFromRecord(record));
  process.stdout.write(a.json ? `${JSON.stringify({ baseline: out, fromRun: record.id })}\n` : `${savedText(out, record)}\ncommit it to make it the reference for CI\n`);
  return 0;
}

/** `baseline save --all [--from DIR]`: the latest passing run with throughput samples of each scenario and driver. */
function saveAllBaselines(a: { from?: string; json?: boolean }): number {
  const dir = a.from ?? resultsDir();
  if (a.from && !(existsSync(a.from) && statSync(a.from).isDirectory())) throw new UserError(`--from ${a.from}: with --all, give a results folder`, ExitCode.badInput, ['e.g. the results/ of a CI artifact']);
  const { records, corrupt } = readRecords(undefined, dir);
  for (const c of corrupt) process.stderr.write(`zonlab: skipped ${c.file}: ${c.why}\n`);
  const latest = new Map<string, RunRecord>();
  for (const { record } of records) if (record.status === 'passed' && Object.keys(record.samples ?? {}).length) latest.set(`${record.scenario.name}/${record.driver.name}`, record);
  if (!latest.size) throw new UserError(`no passing run with throughput samples in ${dir}`, ExitCode.badInput, ['zonlab run NAME --repeat 5 records one']);
  const saved = [...latest.values()].map((record) => ({ file: saveBaseline(baselineFromRecord(record)), record }));
  process.stdout.write(a.json
    ? `${JSON.stringify(saved.map((s) => ({ baseline: s.file, fromRun: s.record.id })))}\n`
    : `${saved.map((s) => savedText(s.file, s.record)).join('\n')}\ncommit ${path.relative(process.cwd(), baselinesDir()) || baselinesDir()}/ to make them the reference for CI\n`);
  return 0;
}

function savedText(file: string, record: RunRecord): string {
  const lines = Object.entries(record.stats).filter(([, m]) => m.bits_per_second).map(([c, m]) => `  ${c}: ${formatRate(m.bits_per_second!.median)} (n=${m.bits_per_second!.n})`);
  return [`saved ${file} from run ${record.id} (${record.driver.name})`, ...lines].join('\n');
}

export function compareCommand(a: { run?: string; against?: string; maxDrop?: number; force?: boolean; json?: boolean; junit?: string; markdown?: string }): number {
  const { record } = findRecord(a.run);
  const c = a.against && a.against !== 'baseline'
    ? compareRecord(record, recordAsReference(findRecord(a.against).record), { maxDrop: a.maxDrop, force: a.force })
    : compareWithBaseline(record, { maxDrop: a.maxDrop, force: a.force });
  writeReports([{ record, comparison: c }], a);
  if (a.json) process.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
  else printComparison(c);
  return verdictExit(c);
}
