import path from 'node:path';
import { baselineFile, loadBaseline } from '../baseline/store.js';
import { ExitCode, UserError } from '../errors.js';
import { resultsDir } from '../paths.js';
import type { RunRecord } from '../results/record.js';
import { baselineAsReference, compareRecord, type RecordComparison } from './compare.js';

export function compareWithBaseline(r: RunRecord, opts: { maxDrop?: number; force?: boolean }): RecordComparison {
  const c = compareWithStoredBaseline(r, opts);
  if (!c)
    throw new UserError(`no baseline for ${r.scenario.name} with the ${r.driver.name} driver`, ExitCode.badInput, [
      saveHint(r),
    ]);
  return c;
}

/** --baseline of `run` and `results merge`: undefined when no baseline is stored yet (a notice, not an error). */
export function compareWithStoredBaseline(
  r: RunRecord,
  opts: { maxDrop?: number; force?: boolean },
  dirs: string[] = [resultsDir()],
): RecordComparison | undefined {
  const b = dirs.map((d) => loadBaseline(r.scenario.name, r.driver.name, d)).find((x) => x);
  if (!b) return undefined;
  return compareRecord(r, baselineAsReference(b), opts);
}

function saveHint(r: RunRecord): string {
  return `save one: zonlab baseline save ${r.scenario.name} --from ${r.id} (or --all), then commit ${path.relative(process.cwd(), baselineFile(r.scenario.name, r.driver.name)) || baselineFile(r.scenario.name, r.driver.name)}`;
}
