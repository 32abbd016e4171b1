import type { Problem } from '../errors.js';
import { asTable, type Table } from '../files.js';
import { closest } from './names.js';
import { lineOf } from './source-lines.js';

/** Where a value came from, so every problem names its file, line and key path. */
export interface Origin {
  file: string;
  text: string;
}

/**
 * Typed reads of one TOML table that collect problems instead of throwing, so a user sees every
 * mistake in a file at once.
 */
export class Fields {
  constructor(
    readonly table: Table,
    readonly path: string,
    readonly origin: Origin,
    readonly problems: Problem[],
  ) {}

  problem(key: string, message: string, hint?: string): void {
    const full = key ? (this.path ? `${this.path}.${key}` : key) : this.path;
    this.problems.push({ file: this.origin.file, key: full, line: lineOf(this.origin.text, full), message, hint });
  }

  /** Reports keys not in `known`, with a "did you mean" where one is close. */
  only(known: readonly string[]): this {
    for (const k of Object.keys(this.table)) {
      if (known.includes(k)) continue;
      const near = closest(k, known);
      this.problem(k, 'unknown key', near ? `did you mean "${near}"?` : `known keys: ${known.join(', ')}`);
    }
    return this;
  }

  has(key: string): boolean {
    return this.table[key] !== undefined;
  }

  string(
    key: string,
    opts: { required?: boolean; check?: (s: string) => boolean; hint?: string; what?: string } = {},
  ): string | undefined {
    const v = this.table[key];
    if (v === undefined) {
      if (opts.required) this.problem(key, 'is required', opts.hint);
      return undefined;
    }
    if (typeof v !== 'string') {
      this.problem(key, `must be a string, not ${describe(v)}`, opts.hint);
      return undefined;
    }
    if (opts.check && !opts.check(v)) {
      this.problem(key, `${JSON.stringify(v)} is not ${opts.what ?? 'valid'}`, opts.hint);
      return undefined;
    }
    return v;
  }

  integer(key: string, opts: { required?: boolean; min: number; max: number; hint?: string }): number | undefined {
    const v = this.table[key];
    if (v === undefined) {
      if (opts.required) this.problem(key, 'is required', opts.hint);
      return undefined;
    }
    if (typeof v === 'bigint' || typeof v !== 'number' || !Number.isInteger(v) || v < opts.min || v > opts.max) {
      this.problem(
        key,
        `${describe(v)} is out of range`,
        opts.hint ?? `a whole number from ${opts.min} to ${opts.max}`,
      );
      return undefined;
    }
    return v;
  }

  boolean(key: string): boolean | undefined {
    const v = this.table[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.problem(key, `must be true or false, not ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  stringList(key: string): string[] {
    const v = this.table[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      this.problem(key, `must be a list of strings, not ${describe(v)}`);
      return [];
    }
    return v as string[];
  }

  sub(key: string): Fields | undefined {
    const v = this.table[key];
    if (v === undefined) return undefined;
    const t = asTable(v);
    if (!t) {
      this.problem(key, `must be a table, not ${describe(v)}`);
      return undefined;
    }
    return new Fields(t, this.path ? `${this.path}.${key}` : key, this.origin, this.problems);
  }
}

export function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'a table';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}
