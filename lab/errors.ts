import { constants } from 'node:os';

/** sysexits.h's EX_SOFTWARE: a process that ended for a fault of its own. */
export const EX_SOFTWARE = 70;

/** The shell's convention for a process ended by a signal: 128 + its number (SIGTERM → 143; one Node does not know, as SIGINT). */
export function signalExit(signal: string): number {
  return 128 + ((constants.signals as Record<string, number>)[signal] ?? constants.signals.SIGINT);
}

/** How a child process ended, as an exit code: its own code, else 128 + the signal that ended it. */
export function childExit(code: number | null | undefined, signal: string | null | undefined): number {
  if (code !== null && code !== undefined) return code;
  return signal ? signalExit(signal) : EX_SOFTWARE;
}

export const isSignalExit = (code: number): boolean => code > 128 && code < 128 + 65;

/**
 * How a lab's failure counts for the command that met it: refused before anything was made (in
 * use, already there), failed (a step, the journal), or not all of it torn down; the command's
 * exit code for each is its own (src/errors.ts asUserError).
 */
export type LabOutcome = 'refused' | 'failed' | 'teardown-failed' | { signal: string };

/** A lab's refusal or failure: one clear line for the user (plus details), never a stack trace. */
export class LabError extends Error {
  constructor(
    message: string,
    readonly outcome: LabOutcome,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'LabError';
  }
}
