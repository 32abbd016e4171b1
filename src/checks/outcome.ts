import type { CheckKind } from '../scenario/types.js';

/** A check's result: a failure is an outcome, with the evidence a person needs to believe it. */
export interface CheckOutcome {
  name: string;
  kind: CheckKind;
  status: 'passed' | 'failed';
  /** One line: "token both ways; server saw 10.0.0.2" or "3.9 Gbit/s". */
  summary: string;
  evidence: Record<string, unknown>;
  measurements?: Record<string, number>;
  durationMs: number;
  error?: string;
  /** 1…N when the throughput checks are repeated; 0 for a warm-up run that is not counted. */
  repetition?: number;
}

/** A measured check's end: passed with its summary, or failed with the reason before the same summary. */
export function measuredOutcome(
  done: Omit<CheckOutcome, 'status' | 'summary' | 'error'>,
  summary: string,
  error: string | undefined,
): CheckOutcome {
  return error
    ? { ...done, status: 'failed', summary: `${error} (${summary})`, error }
    : { ...done, status: 'passed', summary };
}

/** A check that ended before it measured: the reason is its summary, and the evidence so far is kept. */
export function failedOutcome(
  check: { name: string; kind: CheckKind },
  t0: number,
  evidence: Record<string, unknown>,
  error: string,
): CheckOutcome {
  return {
    name: check.name,
    kind: check.kind,
    status: 'failed',
    summary: error,
    evidence,
    durationMs: Date.now() - t0,
    error,
  };
}
