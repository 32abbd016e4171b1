import { existsSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import { readJsonCapped } from '../files.js';
import type { RunRecord } from './record.js';
import { readRecords } from './store.js';

/** A run by id, by file, or the latest of a scenario (or of all). */
export function findRecord(ref: string | undefined, scenario?: string): { file: string; record: RunRecord } {
  if (ref && (ref.endsWith('.json') || ref.includes('/'))) {
    if (!existsSync(ref)) throw new UserError(`no result file ${ref}`);
    return { file: path.resolve(ref), record: readJsonCapped<RunRecord>(ref, 'a zonlab result record') };
  }
  const { records } = readRecords(scenario);
  const found = ref ? records.find((r) => r.record.id === ref) : records[records.length - 1];
  if (!found) throw new UserError(ref ? `no run with id ${ref}` : `no recorded run${scenario ? ` of ${scenario}` : ''}`, ExitCode.badInput, ['zonlab results lists them']);
  return found;
}
