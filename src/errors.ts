import { EX_SOFTWARE, isSignalExit, LabError, signalExit } from '../lab/errors.js';

export { childExit, isSignalExit, signalExit } from '../lab/errors.js';

/** Exit codes are part of the CLI's contract (documented in the README). */
export const ExitCode = {
  passed: 0,
  checkFailed: 1,
  badInput: 2,
  regressed: 3,
  skipped: 4,
  /** Something a lab made could not be removed (each failure is listed; `zonlab gc` retries). */
  teardownFailed: 5,
  internal: EX_SOFTWARE,
  /** Ctrl-C after a full teardown; another signal N gives 128 + N (signalExit). */
  interrupted: 130,
} as const;

/**
 * The user's errors: bad input, a missing requirement, a failed check. They print as one clear
 * line (plus details) and exit with their own code; never a stack trace.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.badInput,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** The user's error that an error is, if any: a UserError as it is, a lab's with the exit code of its outcome. */
export function asUserError(err: unknown): UserError | undefined {
  if (err instanceof UserError) return err;
  if (!(err instanceof LabError)) return undefined;
  const o = err.outcome;
  const code =
    typeof o === 'object'
      ? signalExit(o.signal)
      : { refused: ExitCode.badInput, failed: ExitCode.checkFailed, 'teardown-failed': ExitCode.teardownFailed }[o];
  return new UserError(err.message, code, err.details);
}

/** Outcomes worst first, where several give one exit code (`run --all`, `results merge`); a signal is worse still, an unknown code a bug. */
const SEVERITY: readonly number[] = [
  ExitCode.internal,
  ExitCode.teardownFailed,
  ExitCode.badInput,
  ExitCode.checkFailed,
  ExitCode.regressed,
  ExitCode.skipped,
  ExitCode.passed,
];

export function severity(code: number): number {
  if (isSignalExit(code)) return SEVERITY.length;
  const i = SEVERITY.indexOf(code);
  return SEVERITY.length - 1 - Math.max(i, 0);
}

export function worstExit(codes: Iterable<number>): number {
  let worst: number = ExitCode.passed;
  for (const c of codes) if (severity(c) > severity(worst)) worst = c;
  return worst;
}

/** One thing wrong with a user's file: where, which key, what, and how to fix it. */
export interface Problem {
  file: string;
  key: string;
  message: string;
  line?: number;
  hint?: string;
}

export function formatProblem(p: Problem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}` : p.file;
  const key = p.key ? ` ${p.key}:` : '';
  const hint = p.hint ? ` (${p.hint})` : '';
  return `${where}:${key} ${p.message}${hint}`;
}

export class InvalidInput extends UserError {
  constructor(readonly problems: Problem[]) {
    super(
      problems.length === 1 ? 'invalid input' : `invalid input (${problems.length} problems)`,
      ExitCode.badInput,
      problems.map(formatProblem),
    );
    this.name = 'InvalidInput';
  }
}

/** A requirement of the scenario or command is missing on this machine: a skip, not a failure. */
export class MissingRequirement extends UserError {
  constructor(readonly reasons: string[]) {
    super(
      reasons.length === 1 ? `skipped: ${reasons[0]}` : `skipped: ${reasons.length} requirements are missing`,
      ExitCode.skipped,
      reasons.length === 1 ? [] : reasons,
    );
    this.name = 'MissingRequirement';
  }
}
