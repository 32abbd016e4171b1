import { constants } from 'node:os';

/** Exit codes are part of the CLI's contract (documented in the README). */
export const ExitCode = {
  passed: 0,
  checkFailed: 1,
  badInput: 2,
  regressed: 3,
  skipped: 4,
  /** Something a lab made could not be removed (each failure is listed; `zonlab gc` retries). */
  teardownFailed: 5,
  internal: 70,
  /** Ctrl-C after a full teardown; another signal N gives 128 + N (signalExit). */
  interrupted: 130,
} as const;

/** The shell's convention for a process ended by a signal: 128 + its number (SIGTERM → 143). */
export function signalExit(signal: string): number {
  const n = (constants.signals as Record<string, number>)[signal];
  return n ? 128 + n : ExitCode.interrupted;
}

/** How a child process ended, as an exit code: its own code, else 128 + the signal that ended it. */
export function childExit(code: number | null | undefined, signal: string | null | undefined): number {
  if (code !== null && code !== undefined) return code;
  return signal ? signalExit(signal) : ExitCode.internal;
}

export const isSignalExit = (code: number): boolean => code > 128 && code < 128 + 65;

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
