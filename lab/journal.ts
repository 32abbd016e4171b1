import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Command } from './step-commands.js';

export type EntryState = 'intent' | 'done' | 'failed' | 'undone';

export interface JournalEntry {
  seq: number;
  step: string;
  state: EntryState;
  /** Commands that undo this step, known before it runs (sysctls: after the old value is read). */
  undo: Command[];
  /** Default-namespace interfaces that disappear with a lab namespace: teardown waits for them. */
  waitGone?: string[];
}

interface Header {
  journal: 'zonlab';
  runId: string;
  scenario: string;
  pid: number;
  started: string;
}

/**
 * Each step is written (and fsynced) before it runs, so a crash at any point leaves a record of
 * what may exist. Appends only: a torn last line from a crash mid-write is ignored on reading.
 * Without a file (sandboxed runs, where the kernel reclaims everything) it lives in memory.
 */
export class Journal {
  private readonly entries = new Map<number, JournalEntry>();
  private seq = 0;

  private constructor(readonly file: string | undefined, readonly header: Header) {}

  static create(header: Omit<Header, 'journal' | 'pid' | 'started'>, file?: string): Journal {
    const j = new Journal(file, { journal: 'zonlab', pid: process.pid, started: new Date().toISOString(), ...header });
    if (file) {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      appendLine(file, j.header, 'wx');
    }
    return j;
  }

  static read(file: string): Journal {
    const lines = readFileSync(file, 'utf8').split('\n');
    let header: Header | undefined;
    const records: Partial<JournalEntry>[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      let rec: unknown;
      try { rec = JSON.parse(line); } catch { continue; } // torn write
      if (rec && typeof rec === 'object' && (rec as Header).journal === 'zonlab') header = rec as Header;
      else records.push(rec as Partial<JournalEntry>);
    }
    if (!header) throw new Error(`${file} is not a zonlab journal`);
    const j = new Journal(undefined, header);
    for (const r of records) {
      if (typeof r.seq !== 'number') continue;
      const old = j.entries.get(r.seq);
      j.entries.set(r.seq, { seq: r.seq, step: r.step ?? old?.step ?? '?', state: r.state ?? 'intent', undo: r.undo ?? old?.undo ?? [], waitGone: r.waitGone ?? old?.waitGone });
      j.seq = Math.max(j.seq, r.seq);
    }
    (j as { file: string | undefined }).file = file;
    return j;
  }

  intent(step: string, undo: Command[], waitGone?: string[]): number {
    return this.intentMany([{ step, undo, waitGone }])[0]!;
  }

  /** Several steps about to run together (a batch): one write, one fsync. */
  intentMany(steps: { step: string; undo: Command[]; waitGone?: string[] }[]): number[] {
    const entries = steps.map(({ step, undo, waitGone }) => ({ seq: ++this.seq, step, state: 'intent' as const, undo, ...(waitGone?.length ? { waitGone } : {}) }));
    for (const e of entries) this.entries.set(e.seq, e);
    this.write(entries, true);
    return entries.map((e) => e.seq);
  }

  settle(seq: number, state: Exclude<EntryState, 'intent'>, undo?: Command[]): void {
    this.settleMany([seq], state, undo);
  }

  settleMany(seqs: number[], state: Exclude<EntryState, 'intent'>, undo?: Command[]): void {
    if (!seqs.length) return;
    for (const seq of seqs) {
      const e = this.entries.get(seq);
      if (!e) throw new Error(`journal has no entry ${seq}`);
      e.state = state;
      if (undo) e.undo = undo;
    }
    // not fsynced: if a crash loses a settle, the step stays an intent and is undone all the same
    this.write(seqs.map((seq) => ({ seq, state, ...(undo ? { undo } : {}) })), false);
  }

  /** Entries to undo, newest first. A step that failed outright made nothing to undo. */
  toUndo(): JournalEntry[] {
    return [...this.entries.values()].filter((e) => e.state === 'intent' || e.state === 'done').sort((a, b) => b.seq - a.seq);
  }

  all(): JournalEntry[] {
    return [...this.entries.values()].sort((a, b) => a.seq - b.seq);
  }

  private write(recs: object[], durable: boolean): void {
    if (this.file) appendLine(this.file, recs, 'a', durable);
  }
}

function appendLine(file: string, recs: object | object[], flags: 'a' | 'wx', durable = true): void {
  const fd = openSync(file, flags, 0o600);
  try {
    writeSync(fd, (Array.isArray(recs) ? recs : [recs]).map((r) => `${JSON.stringify(r)}\n`).join(''));
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
