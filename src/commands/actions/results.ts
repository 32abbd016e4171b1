import { formatRate } from '../../rate.js';
import { paint, table } from '../../output/table.js';
import type { RunRecord } from '../../results/record.js';
import { readRecords } from '../../results/store.js';
import type { CommonArgs } from '../common.js';

/** "passed/run" over the checks that count: a --warmup run is not one (issue 24). */
export function checkTally(checks: RunRecord['checks']): string {
  const counted = checks.filter((c) => c.repetition !== 0);
  return `${counted.filter((c) => c.status === 'passed').length}/${counted.length}`;
}

export function resultsCommand(a: Pick<CommonArgs, 'json'> & { scenario?: string }): number {
  const { records, corrupt } = readRecords(a.scenario);
  for (const c of corrupt) process.stderr.write(`zonlab: skipped ${c.file}: ${c.why}\n`);
  if (a.json) {
    process.stdout.write(
      `${JSON.stringify(
        records.map((r) => ({ file: r.file, ...r.record })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  const rows = records.map(({ record: r }) => {
    const rates = Object.entries(r.measurements)
      .filter(([, m]) => m.bits_per_second !== undefined)
      .map(([k, m]) => `${k} ${formatRate(m.bits_per_second)}`);
    return [
      r.time.replace('T', ' ').slice(0, 19),
      r.scenario.name,
      r.driver.name,
      r.status === 'passed' ? paint('passed', 'green') : paint(r.status, 'red'),
      checkTally(r.checks),
      rates.join(', ') || '-',
      r.id,
    ];
  });
  process.stdout.write(
    rows.length
      ? `${table(['time (UTC)', 'scenario', 'driver', 'status', 'checks', 'throughput', 'run'], rows)}\n`
      : 'no results recorded yet\n',
  );
  return 0;
}
