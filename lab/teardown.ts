import { describeFailure, runCommand } from './run-command.js';
import type { Journal } from './journal.js';
import { alreadyGone } from './step-commands.js';

export interface TeardownReport {
  undone: number;
  /** Each failure: the step and why; teardown never stops at the first. */
  failures: string[];
}

/** A cleanup action that is not a journalled command (a driver's unload, a server's stop). */
export type Cleanup = { what: string; run: () => Promise<void>; journalSeq?: number };

/** Runs the in-process cleanups, then the journal's undo commands in reverse. Idempotent. */
export async function teardown(journal: Journal, cleanups: Cleanup[] = []): Promise<TeardownReport> {
  const failures: string[] = [];
  let undone = 0;
  for (const c of [...cleanups].reverse()) {
    try {
      await c.run();
      if (c.journalSeq !== undefined) journal.settle(c.journalSeq, 'undone');
    } catch (err) {
      failures.push(`${c.what}: ${(err as Error).message}`);
    }
  }
  for (const entry of journal.toUndo()) {
    let ok = true;
    for (const cmd of entry.undo) {
      const r = await runCommand(cmd.argv, { netns: cmd.netns, reject: false, timeoutMs: 15_000 });
      if (r.failed && !alreadyGone(r.stderr)) {
        ok = false;
        failures.push(`undo "${entry.step}": ${describeFailure(r)}`);
      }
    }
    if (ok) journal.settle(entry.seq, 'undone');
    undone++;
  }
  return { undone, failures };
}
