/** Exit codes are part of the CLI's contract (documented in the README). */
export const ExitCode = {
  passed: 0,
  checkFailed: 1,
  badInput: 2,
  regressed: 3,
  skipped: 4,
  internal: 70,
  /** Ctrl-C or SIGTERM, after a full teardown (128 + SIGINT). */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

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

/**
 * The user's errors: bad input, a missing requirement, a failed check. They print as one clear
 * line (plus details) and exit with their own code; never a stack trace.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.badInput,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'UserError';
  }
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
    super(reasons.length === 1 ? `skipped: ${reasons[0]}` : `skipped: ${reasons.length} requirements are missing`, ExitCode.skipped, reasons.length === 1 ? [] : reasons);
    this.name = 'MissingRequirement';
  }
}
