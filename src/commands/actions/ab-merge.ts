import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { worstExit } from '../../errors.js';
import { abJunitSuites, abMarkdown } from '../../output/ab-reports.js';
import { printInconclusive, verdictCells, VERDICT_HEADER } from '../../output/ab-summary.js';
import { table } from '../../output/table.js';
import { AB_DIR, readAbRecords, type AbRecord } from '../../session/ab/record.js';

/**
 * `results merge`'s part for A/B records (results/ab/SCENARIO/…): each is copied as it is. An A/B
 * record holds both sides of one job on one machine, so shards are joined, never re-paired: A of
 * one runner is never set against B of another. The verdict is the worst over the latest A/B of
 * each scenario, pair of load balancers and machine.
 */
export function mergeAbRecords(
  dirs: string[],
  into: string,
): { records: AbRecord[]; copied: number; exitCode: number } {
  let copied = 0;
  for (const dir of dirs) {
    const { records, corrupt } = readAbRecords(dir);
    for (const c of corrupt) process.stderr.write(`zonlab: skipped ${c.file}: ${c.why}\n`);
    for (const { file, record } of records) {
      const target = path.join(into, AB_DIR, record.scenario.name, path.basename(file));
      if (existsSync(target)) continue;
      mkdirSync(path.dirname(target), { recursive: true });
      copyFileSync(file, target);
      copied++;
    }
  }
  const latest = new Map<string, AbRecord>();
  for (const { record } of readAbRecords(into).records)
    latest.set([record.scenario.name, record.a.spec, record.b.spec, record.machine].join('\u0000'), record);
  const records = [...latest.values()];
  return { records, copied, exitCode: worstExit(records.map((r) => r.exitCode)) };
}

/** The A/Bs' table in the terminal. */
export function printMergedAb(records: AbRecord[]): void {
  if (!records.length) return;
  const rows = records.flatMap((r) =>
    r.verdicts.length
      ? r.verdicts.map((v) => [r.scenario.name, r.machine, `${r.a.spec} → ${r.b.spec}`, ...verdictCells(v)])
      : [[r.scenario.name, r.machine, `${r.a.spec} → ${r.b.spec}`, '', '', '', '', r.status, '']],
  );
  process.stdout.write(
    `A/B (both sides of each on one machine):\n${table(['scenario', 'machine', 'A → B', ...VERDICT_HEADER], rows)}\n`,
  );
  printInconclusive(records);
}

/** The A/Bs join the merged reports: their suites in the JUnit file, their table after the runs' in the Markdown. */
export function addAbToReports(records: AbRecord[], a: { junit?: string; markdown?: string }): void {
  if (!records.length) return;
  if (a.junit && existsSync(a.junit)) {
    const xml = readFileSync(a.junit, 'utf8');
    writeFileSync(a.junit, xml.replace(/<\/testsuites>\s*$/, `${abJunitSuites(records).join('\n')}\n</testsuites>\n`));
  }
  const md = `\n${abMarkdown(records)}`;
  if (a.markdown) appendFileSync(a.markdown, md);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, md);
}
