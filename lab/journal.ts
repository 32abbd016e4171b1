import {
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { LabError } from './errors.js';
import { processStart } from './process-identity.js';
import { isValidIntent, type Undo } from './undo-intents.js';

export type EntryState = 'intent' | 'done' | 'failed' | 'undone';

export interface JournalEntry {
  seq: number;
  step: string;
  state: EntryState;
  /** Commands (or intents, lab/undo-intents.ts) that undo this step, known before it runs (sysctls: after the old value is read). */
  undo: Undo[];
  /** Default-namespace interfaces that disappear with a lab namespace: teardown waits for them. */
  waitGone?: string[];
}

export interface JournalHeader {
  journal: 'zonlab';
  runId: string;
  scenario: string;
  pid: number;
  /** The pid's start time (lab/process-identity.ts): a reused pid is not the run. */
  pidStart?: string;
  started: string;
}

type Header = JournalHeader;

/** A file at a journal's path that cannot be read as one: no header, or not zonlab's format. */
export class DamagedJournal extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file} is not a zonlab journal (${reason})`);
    this.name = 'DamagedJournal';
  }
}

/** Each step is written and fsynced before it runs, so a crash leaves a record of what may exist; in memory for sandboxed runs. */
export class Journal {
  private readonly entries = new Map<number, JournalEntry>();
  private seq = 0;
  /** The file vanished (or was replaced) while in use: entries live on in memory only. */
  lost = false;

  private constructor(
    readonly file: string | undefined,
    readonly header: Header,
  ) {}

  static create(header: Omit<Header, 'journal' | 'pid' | 'pidStart' | 'started'>, file?: string): Journal {
    const j = new Journal(file, {
      journal: 'zonlab',
      pid: process.pid,
      pidStart: processStart(process.pid),
      started: new Date().toISOString(),
      ...header,
    });
    if (file) {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      appendLine(file, j.header, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
    }
    return j;
  }

  /** A journal with its header; a file without one (or with another format) is a DamagedJournal. */
  static read(file: string): Journal {
    const { header, records, headerFirst } = parseLines(readFileSync(file, 'utf8'));
    if (!header) throw new DamagedJournal(file, records.length ? 'no header' : 'nothing readable');
    // zonlab writes the header first and checks it there before each write (appendLine)
    if (!headerFirst) throw new DamagedJournal(file, 'its header is not its first line');
    const j = Journal.fromRecords(header, records);
    (j as { file: string | undefined }).file = file;
    return j;
  }

  /**
   * What can still be read of a damaged journal's text, in memory: its steps and their undo, so
   * that what it names is undone all the same.
   */
  static salvage(text: string, scenario: string): Journal {
    const { header, records } = parseLines(text);
    return Journal.fromRecords(header ?? { journal: 'zonlab', runId: '?', scenario, pid: 0, started: '?' }, records);
  }

  private static fromRecords(header: Header, records: Partial<JournalEntry>[]): Journal {
    const j = new Journal(undefined, header);
    for (const r of records) {
      if (typeof r.seq !== 'number' || !Number.isInteger(r.seq)) continue;
      const old = j.entries.get(r.seq);
      j.entries.set(r.seq, {
        seq: r.seq,
        step: r.step ?? old?.step ?? '?',
        state: r.state ?? 'intent',
        undo: validUndo(r.undo) ?? old?.undo ?? [],
        waitGone: r.waitGone ?? old?.waitGone,
      });
      j.seq = Math.max(j.seq, r.seq);
    }
    return j;
  }

  intent(step: string, undo: Undo[], waitGone?: string[]): number {
    return this.intentMany([{ step, undo, waitGone }])[0]!;
  }

  /** Several steps about to run together (a batch): one write, one fsync. */
  intentMany(steps: { step: string; undo: Undo[]; waitGone?: string[] }[]): number[] {
    const entries = steps.map(({ step, undo, waitGone }) => ({
      seq: ++this.seq,
      step,
      state: 'intent' as const,
      undo,
      ...(waitGone?.length ? { waitGone } : {}),
    }));
    for (const e of entries) this.entries.set(e.seq, e);
    this.write(entries, true);
    return entries.map((e) => e.seq);
  }

  settle(seq: number, state: Exclude<EntryState, 'intent'>, undo?: Undo[]): void {
    this.settleMany([seq], state, undo);
  }

  settleMany(seqs: number[], state: Exclude<EntryState, 'intent'>, undo?: Undo[]): void {
    if (!seqs.length) return;
    for (const seq of seqs) {
      const e = this.entries.get(seq);
      if (!e) throw new Error(`journal has no entry ${seq}`);
      e.state = state;
      if (undo) e.undo = undo;
    }
    // not fsynced: if a crash loses a settle, the step stays an intent and is undone all the same
    this.write(
      seqs.map((seq) => ({ seq, state, ...(undo ? { undo } : {}) })),
      false,
    );
  }

  /** Entries to undo, newest first. A step that failed outright made nothing to undo. */
  toUndo(): JournalEntry[] {
    return [...this.entries.values()]
      .filter((e) => e.state === 'intent' || e.state === 'done')
      .sort((a, b) => b.seq - a.seq);
  }

  all(): JournalEntry[] {
    return [...this.entries.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Removes the journal's file, unless it is no longer this journal's (then it is another run's). */
  remove(): void {
    if (!this.file || this.lost) return;
    try {
      const fd = openSync(this.file, constants.O_RDONLY);
      try {
        if (startsWithHeader(fd, this.header)) unlinkSync(this.file);
      } finally {
        closeSync(fd);
      }
    } catch {
      /* already gone */
    }
  }

  /** Appends to this journal's own file only; an intent that cannot be made durable stops its step before it runs. */
  private write(recs: object[], durable: boolean): void {
    if (!this.file || this.lost) {
      if (this.lost && durable) throw this.lostError();
      return;
    }
    try {
      appendLine(this.file, recs, constants.O_RDWR | constants.O_APPEND, durable, this.header);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ESTALE') throw err;
      this.lost = true;
      if (durable) throw this.lostError();
    }
  }

  private lostError(): LabError {
    return new LabError(`the journal ${this.file} was removed while this run was using it`, 'failed', [
      'nothing more is built without a journal; what was made is undone from memory',
      'another zonlab process (gc, down) or a person removed it',
    ]);
  }
}

/**
 * Writes lines with the given open flags; with `header`, only into the file that begins with it
 * (checked on the very descriptor written to: a file put at the path since is another run's).
 */
function appendLine(file: string, recs: object | object[], flags: number, durable = true, header?: Header): void {
  const fd = openSync(file, flags, 0o600);
  try {
    if (header && !startsWithHeader(fd, header))
      throw Object.assign(new Error(`${file} is another run's journal now`), { code: 'ESTALE' });
    writeSync(fd, (Array.isArray(recs) ? recs : [recs]).map((r) => `${JSON.stringify(r)}\n`).join(''));
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function startsWithHeader(fd: number, header: Header): boolean {
  const want = Buffer.from(`${JSON.stringify(header)}\n`);
  const got = Buffer.alloc(want.length);
  return readSync(fd, got, 0, want.length, 0) === want.length && got.equals(want);
}

/** A torn line (a crash mid-write) or garbage is skipped; the last header seen wins. */
function parseLines(text: string): { header?: Header; records: Partial<JournalEntry>[]; headerFirst: boolean } {
  let header: Header | undefined;
  let headerFirst = false;
  const records: Partial<JournalEntry>[] = [];
  text.split('\n').forEach((line, i) => {
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      return;
    }
    if (!rec || typeof rec !== 'object' || Array.isArray(rec)) return;
    if ((rec as Header).journal !== 'zonlab') records.push(rec as Partial<JournalEntry>);
    else if (isHeader(rec)) {
      header = rec;
      headerFirst = i === 0;
    }
  });
  return { header, records, headerFirst };
}

function isHeader(r: object): r is Header {
  const h = r as Partial<Header>;
  return (
    typeof h.runId === 'string' &&
    typeof h.scenario === 'string' &&
    Number.isInteger(h.pid) &&
    typeof h.started === 'string'
  );
}

/** Undo as written by zonlab: argument arrays of strings (nothing else is ever run), or intents. */
function validUndo(undo: unknown): Undo[] | undefined {
  if (!Array.isArray(undo)) return undefined;
  const ok = undo.every(
    (c: { argv?: unknown[]; netns?: unknown }) =>
      c &&
      ((Array.isArray(c.argv) &&
        c.argv.length > 0 &&
        c.argv.every((a) => typeof a === 'string') &&
        (c.netns === undefined || typeof c.netns === 'string')) ||
        (c.argv === undefined && isValidIntent(c))),
  );
  return ok ? (undo as Undo[]) : undefined;
}
