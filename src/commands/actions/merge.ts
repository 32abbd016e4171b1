import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, UserError, worstExit } from '../../errors.js';
import { resultsDir } from '../../paths.js';
import { paint, table } from '../../output/table.js';
import type { RunRecord } from '../../results/record.js';
import { readRecords } from '../../results/store.js';
import { recordExit } from '../../compare/exit-code.js';
import { compareWithStoredBaseline } from '../../compare/with-baseline.js';
import { printComparison, printNoBaseline } from '../../output/comparison.js';
import { formatRate } from '../../rate.js';
import type { ReportedRun } from '../../output/junit.js';
import { writeReports } from '../../output/reports.js';
import { addAbToReports, mergeAbRecords, printMergedAb } from './ab-merge.js';

/**
 * Joins the result folders of several CI machines (one per shard) into one, and gives one verdict
 * over the latest run of each scenario and driver: the worst of their outcomes.
 */
export function mergeCommand(a: {
  dirs: string[];
  into: string;
  baseline?: boolean;
  maxDrop?: number;
  force?: boolean;
  json?: boolean;
  junit?: string;
  markdown?: string;
}): number {
  if (!a.dirs.length)
    throw new UserError('name the result folders to merge', ExitCode.badInput, [
      'zonlab results merge shard-1/results shard-2/results --into results',
    ]);
  let copied = 0;
  const corrupt: string[] = [];
  for (const dir of a.dirs) {
    if (!existsSync(dir)) throw new UserError(`no result folder ${dir}`);
    const { records, corrupt: bad } = readRecords(undefined, dir);
    corrupt.push(...bad.map((b) => `${b.file}: ${b.why}`));
    for (const { file, record } of records) {
      const target = path.join(a.into, record.scenario.name, path.basename(file));
      if (existsSync(target)) continue; // the same run from two folders: records are never rewritten
      mkdirSync(path.dirname(target), { recursive: true });
      copyFileSync(file, target);
      copied++;
    }
  }
  for (const c of corrupt) process.stderr.write(`zonlab: skipped ${c}\n`);
  const latest = new Map<string, RunRecord>();
  for (const { record } of readRecords(undefined, a.into).records)
    latest.set(`${record.scenario.name}/${record.driver.name}`, record);
  const runs: ReportedRun[] = [];
  for (const r of latest.values()) {
    const judged = a.baseline && r.status === 'passed';
    const comparison = judged
      ? compareWithStoredBaseline(r, { maxDrop: a.maxDrop, force: a.force }, [a.into, resultsDir()])
      : undefined;
    runs.push({ record: r, comparison, baseline: judged && !comparison ? 'missing' : undefined });
  }
  // A/B records (zonlab ab) are joined as they are: both sides of each ran on one machine
  const ab = mergeAbRecords(a.dirs, a.into);
  writeReports(runs, a);
  addAbToReports(ab.records, a);
  // the same order of outcomes as run --all (src/errors.ts)
  const code = worstExit([...runs.map(({ record, comparison }) => recordExit(record, comparison)), ab.exitCode]);
  if (a.json) {
    process.stdout.write(
      `${JSON.stringify({ copied, into: a.into, ab: ab.records.map((r) => ({ scenario: r.scenario.name, machine: r.machine, a: r.a.spec, b: r.b.spec, worst: r.worst ?? null, exitCode: r.exitCode })), runs: runs.map(({ record, comparison, baseline }) => ({ scenario: record.scenario.name, driver: record.driver.name, status: record.status, runId: record.id, verdict: baseline === 'missing' ? 'no baseline' : comparison?.worst })), exitCode: code }, null, 2)}\n`,
    );
    return code;
  }
  process.stdout.write(`merged ${copied + ab.copied} new record(s) from ${a.dirs.length} folder(s) into ${a.into}\n`);
  process.stdout.write(
    `${table(
      ['scenario', 'driver', 'status', 'throughput', 'verdict'],
      runs.map(({ record: r, comparison }) => [
        r.scenario.name,
        r.driver.name,
        r.status === 'passed' ? paint('passed', 'green') : paint(r.status, 'red'),
        Object.entries(r.measurements)
          .filter(([, m]) => m.bits_per_second !== undefined)
          .map(([k, m]) => `${k} ${formatRate(m.bits_per_second)}`)
          .join(', ') || '-',
        comparison ? comparison.worst : r.status === 'passed' && a.baseline ? 'no baseline yet' : '-',
      ]),
    )}\n`,
  );
  for (const { comparison } of runs) if (comparison && comparison.worst !== 'unchanged') printComparison(comparison);
  printNoBaseline(runs.filter((r) => r.baseline === 'missing').map((r) => r.record));
  printMergedAb(ab.records);
  return code;
}
