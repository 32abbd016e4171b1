import { existsSync } from 'node:fs';
import { describeFailure, runCommand } from './run-command.js';
import type { Journal, JournalEntry } from './journal.js';
import { asIpLine, batchArgv, failedBatchLines } from './batch.js';
import { describeProcess, endProcessesIn } from './netns-processes.js';
import { alreadyGone, leftForOthers, type Command } from './step-commands.js';
import { isIntent, legacyIntent, runIntent, type Undo, type UndoIntent } from './undo-intents.js';

export interface TeardownReport {
  undone: number;
  /** Each failure: the step and why; teardown never stops at the first. */
  failures: string[];
  /** Processes found inside the lab's namespaces and ended (a server started by hand): named for the user. */
  ended: string[];
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
  const entries = journal.toUndo();
  const waitGone = entries.flatMap((e) => e.waitGone ?? []);
  // the lab's namespaces, and the links in them, live on as long as a process is inside
  const ended = (await endProcessesIn(entries.flatMap(deletedNamespaces))).map(describeProcess);
  for (let i = 0; i < entries.length;) {
    const batch = ipBatchFrom(entries, i);
    if (batch.length > 1) {
      failures.push(...(await undoIpBatch(journal, batch)));
      undone += batch.length;
      i += batch.length;
      continue;
    }
    const entry = entries[i++]!;
    let ok = true;
    for (const u of entry.undo) {
      const intent = isIntent(u) ? u : legacyIntent(u);
      if (intent) {
        if (!(await undoIntent(intent, entry, failures))) ok = false;
        continue;
      }
      const cmd = u as Command;
      const r = await runCommand(cmd.argv, { netns: cmd.netns, reject: false, timeoutMs: 15_000 });
      if (r.failed && !alreadyGone(r.stderr) && !leftForOthers(cmd, r.stderr)) {
        ok = false;
        failures.push(`undo "${entry.step}": ${describeFailure(r)}`);
      }
    }
    if (ok) journal.settle(entry.seq, 'undone');
    undone++;
  }
  failures.push(...(await untilGone(waitGone)));
  return { undone, failures, ended };
}

/** An intent, carried out by this version's code; false (and the reason in failures) when it could not be. */
async function undoIntent(u: UndoIntent, entry: JournalEntry, failures: string[]): Promise<boolean> {
  try {
    await runIntent(u);
    return true;
  } catch (err) {
    failures.push(`undo "${entry.step}": ${(err as Error).message}`);
    return false;
  }
}

const commandsOf = (undo: Undo[]): Command[] => undo.filter((u): u is Command => !isIntent(u));

/** The named namespaces an entry's undo deletes. */
function deletedNamespaces(e: JournalEntry): string[] {
  return commandsOf(e.undo)
    .filter((c) => c.argv.length === 4 && c.argv[0] === 'ip' && c.argv[1] === 'netns' && /^del(ete)?$/.test(c.argv[2]!))
    .map((c) => c.argv[3]!);
}

/**
 * Links that go with their namespace go asynchronously: wait until they are really gone. The kernel
 * cleans up deleted namespaces one batch at a time on one work queue, so a namespace still being
 * cleaned (one that held tens of thousands of connections, conntrack-pressure: seen at 15 s) holds up
 * ours; a link still there after a few seconds is deleted by name (in CI one outlived a minute).
 */
async function untilGone(names: string[], nudgeAfterMs = 3_000, timeoutMs = 60_000): Promise<string[]> {
  const start = Date.now();
  let left = names;
  let nudged = false;
  while (left.length) {
    left = left.filter((n) => existsSync(`/sys/class/net/${n}`));
    if (!left.length) break;
    if (!nudged && Date.now() - start > nudgeAfterMs) {
      nudged = true;
      for (const n of left) await runCommand(['ip', 'link', 'delete', 'dev', n], { reject: false, timeoutMs: 15_000 });
      continue;
    }
    if (Date.now() - start > timeoutMs)
      return [`still present ${timeoutMs / 1000} s after their namespaces were deleted: ${left.join(', ')}`];
    await new Promise((r) => setTimeout(r, 10));
  }
  return [];
}

/** Consecutive entries (from i) each undone by one `ip` command in the same namespace, or by none. */
function ipBatchFrom(entries: JournalEntry[], i: number): JournalEntry[] {
  const out: JournalEntry[] = [];
  let netns: string | undefined | null = null;
  for (let k = i; k < entries.length; k++) {
    const e = entries[k]!;
    if (e.undo.length === 0) {
      out.push(e);
      continue;
    }
    const only = e.undo.length === 1 ? e.undo[0]! : undefined;
    const line = only && !isIntent(only) ? asIpLine(only) : undefined;
    if (!line || (netns !== null && line.netns !== netns)) break;
    netns = line.netns;
    out.push(e);
  }
  return out;
}

/** -force: iproute2 goes on past a failing line, so everything is tried; gone objects are fine. */
async function undoIpBatch(journal: Journal, batch: JournalEntry[]): Promise<string[]> {
  const withCmd = batch.filter((e) => e.undo.length === 1);
  const netns = withCmd[0] ? asIpLine(withCmd[0].undo[0] as Command)!.netns : undefined;
  const failures: string[] = [];
  const failedLines = new Set<number>();
  if (withCmd.length) {
    const lines = withCmd.map((e) => asIpLine(e.undo[0] as Command)!.line);
    const r = await runCommand(batchArgv(netns, true), {
      input: `${lines.join('\n')}\n`,
      reject: false,
      timeoutMs: 60_000,
    });
    for (const f of failedBatchLines(r.stderr)) {
      if (alreadyGone(f.message)) continue;
      failedLines.add(f.line);
      const e = withCmd[f.line - 1];
      failures.push(`undo "${e?.step ?? `line ${f.line}`}": ip ${lines[f.line - 1] ?? ''}: ${f.message}`);
    }
    if (r.failed && !failedBatchLines(r.stderr).length && !alreadyGone(r.stderr))
      failures.push(`undo batch: ${describeFailure(r)}`);
  }
  journal.settleMany(
    batch.filter((e) => e.undo.length === 0 || !failedLines.has(withCmd.indexOf(e) + 1)).map((e) => e.seq),
    'undone',
  );
  return failures;
}
