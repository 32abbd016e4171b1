import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listBaselines } from '../../baseline/store.js';
import { resultsDir } from '../../paths.js';
import { renderReport } from '../../output/html/report.js';
import { readRecords } from '../../results/store.js';
import { readAbRecords } from '../../session/ab/record.js';
import { listScenarioFiles, loadScenario } from '../../scenario/load.js';
import type { Scenario } from '../../scenario/types.js';

/** `zonlab report [--out DIR]`: DIR/index.html, viewable with no network (no CDN, no script). */
export async function reportCommand(a: { out?: string; json?: boolean }): Promise<number> {
  const { records, corrupt } = readRecords();
  for (const c of corrupt) process.stderr.write(`zonlab: skipped ${c.file}: ${c.why}\n`);
  const scenarios: Scenario[] = [];
  for (const f of listScenarioFiles()) {
    try {
      scenarios.push(loadScenario(f));
    } catch (err) {
      process.stderr.write(`zonlab: ${path.basename(f)} left out of the report: ${(err as Error).message}\n`);
    }
  }
  const abs = readAbRecords(resultsDir());
  for (const c of abs.corrupt) process.stderr.write(`zonlab: skipped ${c.file}: ${c.why}\n`);
  const out = a.out ?? path.join(resultsDir(), 'report');
  mkdirSync(out, { recursive: true });
  const file = path.join(out, 'index.html');
  writeFileSync(
    file,
    renderReport({
      records: records.map((r) => r.record),
      corrupt,
      baselines: listBaselines(),
      scenarios,
      generatedAt: new Date().toISOString(),
      abs: abs.records.map((r) => r.record),
    }),
  );
  process.stdout.write(a.json ? `${JSON.stringify({ report: file })}\n` : `${file}\n`);
  return 0;
}
