import path from 'node:path';
import { execa } from 'execa';
import { ExitCode } from '../errors.js';
import { paint, table } from '../output/table.js';
import { listScenarioFiles, loadScenario } from '../scenario/load.js';
import { formatRate } from './run-output.js';
import { readFileSync } from 'node:fs';
import type { RecordComparison } from '../compare/compare.js';
import type { ReportedRun } from '../output/junit.js';
import type { RunRecord } from '../results/record.js';
import { writeReports } from './compare.js';
import type { RunArgs } from './run.js';

interface AllRow {
  scenario: string;
  outcome: 'PASS' | 'FAIL' | 'SKIP' | 'REGRESSED' | 'ERROR';
  exitCode: number;
  detail: string;
}

/** Worst first: an error outranks a failure, which outranks a regression, then a skip, then a pass. */
const RANK: Record<number, number> = { [ExitCode.internal]: 5, [ExitCode.badInput]: 4, [ExitCode.checkFailed]: 3, [ExitCode.regressed]: 2, [ExitCode.skipped]: 1, [ExitCode.passed]: 0 };

/** Each scenario in its own process (and sandbox), one after another; a summary; the worst exit code. */
export async function runAll(a: RunArgs & { shard?: string }): Promise<number> {
  let files = listScenarioFiles();
  if (a.shard) files = shardOf(files, a.shard);
  // reports cover all scenarios: they are written here, once, not by each run
  const own = ['--all', '--shard', '--json', 'run', '--set', '--junit', '--markdown'];
  const passThrough = process.argv.slice(2).filter((x, i, all) => !own.includes(x) && !own.slice(1).includes(all[i - 1] ?? '') && !/^--(junit|markdown|shard|set)=/.test(x));
  const reported: ReportedRun[] = [];
  const rows: AllRow[] = [];
  for (const file of files) {
    const name = path.basename(file, '.toml');
    process.stderr.write(`=== ${name}\n`);
    // --set applies to the scenarios that declare the parameter
    const params = paramsOf(file);
    const sets = (a.set ?? []).filter((kv) => kv.split('=')[0]! in params).flatMap((kv) => ['--set', kv]);
    const r = await execa(process.execPath, [process.argv[1]!, 'run', name, '--json', ...passThrough, ...sets], { reject: false, stdio: ['ignore', 'pipe', 'inherit'] });
    const code = r.exitCode ?? ExitCode.internal;
    let detail = '';
    try {
      const doc = JSON.parse(r.stdout) as { checks: { name: string; status: string; measurements?: { bits_per_second?: number } }[]; resultFile?: string; comparison?: RecordComparison };
      if (doc.resultFile) reported.push({ record: JSON.parse(readFileSync(doc.resultFile, 'utf8')) as RunRecord, comparison: doc.comparison });
      detail = doc.checks.map((c) => `${c.name} ${c.status === 'passed' ? (c.measurements?.bits_per_second ? formatRate(c.measurements.bits_per_second) : 'ok') : 'FAIL'}`).join(', ');
    } catch {
      detail = code === ExitCode.skipped ? 'a requirement is missing (see above)' : 'no result';
    }
    const outcome = code === 0 ? 'PASS' : code === ExitCode.skipped ? 'SKIP' : code === ExitCode.regressed ? 'REGRESSED' : code === ExitCode.checkFailed ? 'FAIL' : 'ERROR';
    rows.push({ scenario: name, outcome, exitCode: code, detail });
  }
  writeReports(reported, a);
  const color = (o: AllRow['outcome']) => (o === 'PASS' ? paint(o, 'green') : o === 'SKIP' ? paint(o, 'yellow') : paint(o, 'red'));
  if (a.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else process.stdout.write(`${table(['scenario', 'outcome', 'detail'], rows.map((r) => [r.scenario, color(r.outcome), r.detail]))}\n`);
  return rows.reduce((worst, r) => ((RANK[r.exitCode] ?? 5) > (RANK[worst] ?? 0) ? r.exitCode : worst), 0);
}

function paramsOf(file: string): Record<string, unknown> {
  try {
    return loadScenario(file).params;
  } catch {
    return {};
  }
}

/** "2/4": the second of four stable parts, by position in the sorted list of names. */
export function shardOf<T>(items: T[], shard: string): T[] {
  const m = /^(\d+)\/(\d+)$/.exec(shard);
  const i = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || n < 1 || i < 1 || i > n) throw new Error(`--shard ${shard}: give i/n with 1 ≤ i ≤ n, e.g. 2/4`);
  return items.filter((_, k) => k % n === i - 1);
}
