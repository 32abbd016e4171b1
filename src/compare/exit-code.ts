import { ExitCode, worstExit } from '../errors.js';
import type { RunRecord } from '../results/record.js';
import type { RecordComparison } from './compare.js';

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
