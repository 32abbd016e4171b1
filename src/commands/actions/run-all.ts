import path from 'node:path';
import { ExitCode, isSignalExit, signalExit, worstExit } from '../../errors.js';
import { readJsonCapped } from '../../files.js';
import { paint, table, tableWidth } from '../../output/table.js';
import type { NotRun, ReportedRun } from '../../output/junit.js';
import { resultsDir } from '../../paths.js';
import type { RunRecord } from '../../results/record.js';
import { listScenarioFiles, loadScenario } from '../../scenario/load.js';
import type { RecordComparison } from '../../compare/compare.js';
import { printNoBaseline } from '../../output/comparison.js';
import { writeReports } from '../../output/reports.js';
import { creatableDir, setsDeclared, type Shard } from '../options.js';
import { formatRate } from '../../rate.js';
import type { RunArgs } from './run.js';
import { stopOnSignal } from '../common.js';
import { zonlabChild } from '../zonlab-child.js';

export type RunAllArgs = Omit<RunArgs, 'scenario'> & { all: boolean; shard?: Shard };

type Outcome = 'PASS' | 'FAIL' | 'SKIP' | 'REGRESSED' | 'TEARDOWN FAILED' | 'INTERRUPTED' | 'ERROR';

interface AllRow {
  scenario: string;
  outcome: Outcome;
  exitCode: number;
  detail: string;
}

/** What a child's --json document holds that the summary needs. */
interface ChildDoc {
  checks: { name: string; status: string; measurements?: { bits_per_second?: number } }[];
  resultFile?: string;
  comparison?: RecordComparison;
  baseline?: 'missing';
}

/** A scenario of the folder, with the parameters it declares (--set applies to those). */
export interface ScenarioEntry {
  name: string;
  file: string;
  params: Record<string, unknown>;
}

/**
 * The arguments of one scenario's run, built from the parsed options (never from process.argv):
 * what every run must do alike. Reports (--junit, --markdown) cover all scenarios and are written
 * once, by `run --all` itself; --set goes to the scenarios that declare the parameter.
 */
export function childArgs(a: RunAllArgs, s: ScenarioEntry, results: string = resultsDir()): string[] {
  const flag = (on: boolean | undefined, name: string) => (on ? [name] : []);
  const value = (v: string | number | undefined, name: string) => (v === undefined ? [] : [name, String(v)]);
  const sets = setsDeclared(a.set, s.params).flatMap((kv) => ['--set', kv]);
  return [
    'run',
    s.file,
    '--json',
    '--results',
    results,
    ...value(a.lb, '--lb'),
    ...value(a.zonlb, '--zonlb'),
    ...flag(a.host, '--host'),
    ...flag(a.verbose, '--verbose'),
    ...sets,
    ...value(a.repeat, '--repeat'),
    ...value(a.maxRepeat, '--max-repeat'),
    ...value(a.budget, '--budget'),
    ...flag(a.warmup, '--warmup'),
    ...flag(a.baseline, '--baseline'),
    ...value(a.maxDrop, '--max-drop'),
    ...flag(a.force, '--force'),
  ];
}

/** Each scenario in its own process (and sandbox), one after another; a summary; the worst exit code. */
export async function runAll(a: RunAllArgs): Promise<number> {
  // as root, the folder must take the records before any scenario runs (without root each run is a skip)
  if (process.getuid?.() === 0) creatableDir('--results', resultsDir());
  let files = listScenarioFiles();
  if (a.shard) files = shardOf(files, a.shard);
  const reported: ReportedRun[] = [];
  const notRun: NotRun[] = [];
  const rows: AllRow[] = [];
  const stop = stopOnSignal();
  try {
    for (const file of files) {
      if (stop.signal) break;
      const name = path.basename(file, '.toml');
      process.stderr.write(`=== ${name}\n`);
      const child = runChild(childArgs(a, { name, file, params: paramsOf(file) }), a.json ? undefined : name);
      const { code, stdout, stderr } = await stop.during(child.process, child.done);
      const row = summaryRow(name, code, stdout, stderr, reported, notRun);
      rows.push(row);
      if (isSignalExit(code)) break;
    }
  } finally {
    stop.release();
  }
  writeReports(reported, a, notRun);
  const color = (o: Outcome) =>
    o === 'PASS' ? paint(o, 'green') : o === 'SKIP' ? paint(o, 'yellow') : paint(o, 'red');
  if (a.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else
    process.stdout.write(
      `${table(
        ['scenario', 'outcome', 'detail'],
        rows.map((r) => [r.scenario, color(r.outcome), r.detail]),
        { width: tableWidth() },
      )}\n`,
    );
  printNoBaseline(reported.filter((r) => r.baseline === 'missing').map((r) => r.record));
  if (stop.signal)
    process.stderr.write(`zonlab: stopped by ${stop.signal} after ${rows.length} of ${files.length} scenarios\n`);
  return worstExit([...rows.map((r) => r.exitCode), ...(stop.signal ? [signalExit(stop.signal)] : [])]);
}

/** One row of the summary; the child's record joins the reports, a scenario without one says why. */
export function summaryRow(
  name: string,
  code: number,
  stdout: string,
  stderr: string,
  reported: ReportedRun[],
  notRun: NotRun[],
): AllRow {
  const outcome = outcomeOf(code);
  let doc: ChildDoc | undefined;
  try {
    doc = JSON.parse(stdout) as ChildDoc;
  } catch {
    /* no document: the reason is on stderr */
  }
  if (!doc) {
    const reason =
      childReason(stderr) ?? (code === ExitCode.skipped ? 'a requirement is missing' : `exit ${code}, no result`);
    if (!isSignalExit(code))
      notRun.push({ scenario: name, outcome: code === ExitCode.skipped ? 'skipped' : 'error', reason });
    return { scenario: name, outcome, exitCode: code, detail: reason };
  }
  if (doc.resultFile)
    reported.push({
      record: readJsonCapped<RunRecord>(doc.resultFile, 'a zonlab result record'),
      comparison: doc.comparison,
      baseline: doc.baseline,
    });
  const checks = doc.checks
    .map(
      (c) =>
        `${c.name} ${c.status === 'passed' ? (c.measurements?.bits_per_second ? formatRate(c.measurements.bits_per_second) : 'ok') : 'FAIL'}`,
    )
    .join(', ');
  const verdict =
    doc.baseline === 'missing'
      ? 'no baseline yet'
      : doc.comparison?.compared
        ? `vs baseline: ${doc.comparison.worst}`
        : '';
  return { scenario: name, outcome, exitCode: code, detail: [checks, verdict].filter((x) => x).join('; ') };
}

function outcomeOf(code: number): Outcome {
  if (isSignalExit(code)) return 'INTERRUPTED';
  const names: Record<number, Outcome> = {
    [ExitCode.passed]: 'PASS',
    [ExitCode.checkFailed]: 'FAIL',
    [ExitCode.regressed]: 'REGRESSED',
    [ExitCode.skipped]: 'SKIP',
    [ExitCode.teardownFailed]: 'TEARDOWN FAILED',
  };
  return names[code] ?? 'ERROR';
}

/**
 * Why a child stopped, from what it printed last on stderr: `zonlab: skipped: REASON`, or
 * `zonlab: skipped: N requirements are missing` followed by one indented line per reason.
 */
export function childReason(stderr: string): string | undefined {
  const lines = stderr.split('\n');
  const at = lines
    .map((l, i) => (l.startsWith('zonlab: ') ? i : -1))
    .filter((i) => i >= 0)
    .pop();
  if (at === undefined) return undefined;
  const first = lines[at]!.slice('zonlab: '.length).replace(/^skipped: /, '');
  const details: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!l.startsWith('  ')) break;
    details.push(l.trim());
  }
  if (/^\d+ requirements are missing$/.test(first) && details.length) return details.join('; ');
  return [first, ...details].join(' ').trim();
}

/**
 * The child's stderr goes on to ours as it comes, each line prefixed with its scenario, and is kept
 * for the summary's reasons. Its progress too (ZONLAB_PROGRESS: its --json alone would silence it),
 * unless this run prints JSON itself.
 */
function runChild(args: string[], prefix?: string) {
  // the child must not write its own step summary: this run writes one for all scenarios
  const env = { GITHUB_STEP_SUMMARY: '', ...(prefix ? { ZONLAB_PROGRESS: '1' } : {}) };
  const lines = prefixedLines(prefix ? `${prefix}: ` : '', (s) => process.stderr.write(s));
  const child = zonlabChild(args, { env, onStderr: (d) => lines.push(d) });
  return { process: child.process, done: child.done.finally(() => lines.end()) };
}

/** Whole lines, each with the prefix, as chunks of output arrive; end() writes a last unterminated line. */
export function prefixedLines(prefix: string, write: (s: string) => void) {
  let partial = '';
  return {
    push(chunk: string) {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      for (const p of parts) write(`${prefix}${p}\n`);
    },
    end() {
      if (partial) write(`${prefix}${partial}\n`);
      partial = '';
    },
  };
}

function paramsOf(file: string): Record<string, unknown> {
  try {
    return loadScenario(file).params;
  } catch {
    return {};
  }
}

/** The i-th of n stable parts, by position in the sorted list of names. */
export function shardOf<T>(items: T[], shard: Shard): T[] {
  return items.filter((_, k) => k % shard.count === shard.index - 1);
}
