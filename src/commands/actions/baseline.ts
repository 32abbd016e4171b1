import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { baselineFromRecord, baselinesDir, saveBaseline } from '../../baseline/store.js';
import { ExitCode, UserError } from '../../errors.js';
import { formatRate } from '../../rate.js';
import { resultsDir } from '../../paths.js';
import { findRecord } from '../../results/find.js';
import type { RunRecord } from '../../results/record.js';
import { readRecords } from '../../results/store.js';
import { MIN_SAMPLES } from '../../stats/verdict.js';

type SaveArgs = { scenario?: string; all?: boolean; from?: string; json?: boolean; force?: boolean };

export function baselineSaveCommand(a: SaveArgs): number {
  if (a.all) return saveAllBaselines(a);
  const scenario = a.scenario!;
  const { file, record } = findRecord(a.from, a.from ? undefined : scenario);
  if (record.scenario.name !== scenario)
    throw new UserError(`${file} is a run of ${record.scenario.name}, not ${scenario}`);
  if (record.status !== 'passed')
    throw new UserError(`run ${record.id} did not pass (${record.status}): a baseline must come from a passing run`);
  if (!Object.keys(record.samples ?? {}).length) throw new UserError(`run ${record.id} has no throughput samples`);
  if (!a.force) refuseTooFew([record]);
  const out = saveBaseline(baselineFromRecord(record));
  process.stdout.write(
    a.json
      ? `${JSON.stringify({ baseline: out, fromRun: record.id })}\n`
      : `${savedText(out, record)}\ncommit it to make it the reference for CI\n`,
  );
  return 0;
}

/** `baseline save --all [--from DIR]`: the latest passing run with throughput samples of each scenario and driver. */
function saveAllBaselines(a: SaveArgs): number {
  const dir = a.from ?? resultsDir();
  if (a.from && !(existsSync(a.from) && statSync(a.from).isDirectory()))
    throw new UserError(`--from ${a.from}: with --all, give a results folder`, ExitCode.badInput, [
      'e.g. the results/ of a CI artifact',
    ]);
  const { records, corrupt } = readRecords(undefined, dir);
  for (const c of corrupt) process.stderr.write(`zonlab: skipped ${c.file}: ${c.why}\n`);
  const latest = new Map<string, RunRecord>();
  for (const { record } of records)
    if (record.status === 'passed' && Object.keys(record.samples ?? {}).length)
      latest.set(`${record.scenario.name}/${record.driver.name}`, record);
  if (!latest.size)
    throw new UserError(`no passing run with throughput samples in ${dir}`, ExitCode.badInput, [
      'zonlab run NAME --repeat 10 (or --repeat auto) records one',
    ]);
  if (!a.force) refuseTooFew([...latest.values()]);
  const saved = [...latest.values()].map((record) => ({ file: saveBaseline(baselineFromRecord(record)), record }));
  process.stdout.write(
    a.json
      ? `${JSON.stringify(saved.map((s) => ({ baseline: s.file, fromRun: s.record.id })))}\n`
      : `${saved.map((s) => savedText(s.file, s.record)).join('\n')}\ncommit ${path.relative(process.cwd(), baselinesDir()) || baselinesDir()}/ to make them the reference for CI\n`,
  );
  return 0;
}

/** The throughput checks of a run with fewer than MIN_SAMPLES samples: a baseline of them can judge nothing. */
export function tooFewSamples(r: RunRecord): { check: string; n: number }[] {
  return Object.entries(r.samples ?? {})
    .filter(([, ms]) => ms.bits_per_second)
    .map(([check, ms]) => ({ check, n: ms.bits_per_second!.length }))
    .filter((x) => x.n < MIN_SAMPLES);
}

function refuseTooFew(records: RunRecord[]): void {
  const few = records.flatMap((r) =>
    tooFewSamples(r).map((x) => `run ${r.id} (${r.scenario.name}, ${r.driver.name}): ${x.check} has ${x.n} sample(s)`),
  );
  if (!few.length) return;
  throw new UserError(
    `a baseline needs at least ${MIN_SAMPLES} samples of each throughput check: a verdict against fewer is always inconclusive`,
    ExitCode.badInput,
    [
      ...few,
      'record more: zonlab run NAME --repeat 10 (or --repeat auto, which samples until the level is known within the threshold), then save that run',
      'or save it anyway with --force',
    ],
  );
}

function savedText(file: string, record: RunRecord): string {
  const lines = Object.entries(record.stats)
    .filter(([, m]) => m.bits_per_second)
    .map(([c, m]) => `  ${c}: ${formatRate(m.bits_per_second!.median)} (n=${m.bits_per_second!.n})`);
  return [`saved ${file} from run ${record.id} (${record.driver.name})`, ...lines].join('\n');
}
