import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { ExitCode, UserError } from './errors.js';

/** A table of a parsed TOML or JSON document. */
export type Table = Record<string, unknown>;

export function asTable(v: unknown): Table | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) ? (v as Table) : undefined;
}

/** Caps on what zonlab reads: its files are small, and `validate /dev/zero` must return. */
export const MAX_BYTES = {
  /** a scenario, a topology, a zonlb.toml: a few kilobytes */
  config: 1 << 20,
  /** a run record or a baseline: every sample of every repetition */
  record: 64 << 20,
} as const;

/** A file zonlab refuses to read: not there, not a regular file, or too large. */
export class UnreadableFile extends UserError {
  constructor(
    readonly file: string,
    readonly why: string,
    hint?: string,
  ) {
    super(`${file}: ${why}`, ExitCode.badInput, hint ? [hint] : []);
    this.name = 'UnreadableFile';
  }
}

/**
 * Reads at most `max` bytes of a regular file. Opened non-blocking so that a FIFO cannot hang the
 * open; a device, a directory or a socket is refused before any byte is read.
 */
export function readCapped(file: string, max: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw new UnreadableFile(
      file,
      `cannot read: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UnreadableFile(file, `not a regular file (${kindOf(st)})`, 'give the path of a file');
    const chunks: Buffer[] = [];
    let total = 0;
    // /proc and sysfs files say size 0: read until the end or one byte past the cap
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 16, max + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > max) throw new UnreadableFile(file, `larger than ${max} bytes`, 'is it the right file?');
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof UnreadableFile) throw err;
    throw new UnreadableFile(file, `cannot read: ${(err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

export function readTextCapped(file: string, max: number): string {
  return readCapped(file, max).toString('utf8');
}

/** A JSON file of zonlab's (a record, a baseline, an audit): capped, and bad JSON is the user's error. */
export function readJsonCapped<T>(file: string, what: string, max: number = MAX_BYTES.record): T {
  const text = readTextCapped(file, max);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new UnreadableFile(file, `is not ${what}: ${(err as Error).message.split('\n')[0]}`);
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}
