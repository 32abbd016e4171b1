import { accessSync, constants, mkdtempSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import { isIdentifier } from '../scenario/names.js';

/**
 * The command line's own checks, run by yargs (coerce and check) before any command starts: a bad
 * option is exit 2 with the option, its value and a hint, never a stack trace after a run.
 */
export function badOption(option: string, value: unknown, why: string, hint?: string): UserError {
  const shown = typeof value === 'string' ? (value === '' ? '""' : value) : String(value);
  const err = new UserError(`${option} ${shown}: ${why}`, ExitCode.badInput, hint ? [hint] : []);
  lastRefusal = err;
  return err;
}

/** yargs passes on only the message of an error thrown in a coerce: this finds the error again, hint included. */
let lastRefusal: UserError | undefined;
export function refusalFor(message: string): UserError | undefined {
  return lastRefusal?.message === message ? lastRefusal : undefined;
}

/** yargs gathers an option given twice into an array; an option that takes one value refuses that. */
export function single<T>(option: string, value: T | T[]): T {
  if (Array.isArray(value))
    throw badOption(option, value.join(' '), `given ${value.length} times`, `give ${option} once`);
  return value;
}

export function wholeNumber(option: string, min: number, max: number) {
  return (value: number | number[]): number => {
    const n = single(option, value);
    if (!(Number.isInteger(n) && n >= min && n <= max))
      throw badOption(option, n, `give a whole number from ${min} to ${max}`);
    return n;
  };
}

/** --repeat: a count, or auto (sample until the verdict is clear). */
export function repeatCount(value: string | string[]): number | 'auto' {
  const v = single('--repeat', value);
  if (v === 'auto') return v;
  const n = /^\d+$/.test(String(v)) ? Number(v) : Number.NaN;
  if (!(Number.isInteger(n) && n >= 1 && n <= 1000))
    throw badOption('--repeat', v, 'give a whole number from 1 to 1000, or auto');
  return n;
}

export function positiveNumber(option: string, example: string) {
  return (value: number | number[]): number => {
    const n = single(option, value);
    if (!(n > 0 && Number.isFinite(n))) throw badOption(option, n, `give ${example}, a positive number`);
    return n;
  };
}

export function fraction(option: string, example: string) {
  return (value: number | number[]): number => {
    const m = single(option, value);
    if (!(m > 0 && m < 1)) throw badOption(option, m, `give a fraction between 0 and 1, e.g. ${example}`);
    return m;
  };
}

export function nonEmpty(option: string, what: string) {
  return (value: string | string[]): string => {
    const s = single(option, value);
    if (s === '') throw badOption(option, s, `give ${what}`);
    return s;
  };
}

/** A name zonlab makes files of (a scenario's): letters, digits, "-" and "_". */
export function identifier(option: string) {
  return (value: string | string[]): string => {
    const s = single(option, value);
    if (!isIdentifier(s)) throw badOption(option, s, 'not a scenario name', 'letters, digits, "-" and "_"');
    return s;
  };
}

/** `--shard i/n`: the i-th of n stable parts. */
export interface Shard {
  index: number;
  count: number;
}

export function shard(value: string | string[]): Shard {
  const s = single('--shard', value);
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(s);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count)
    throw badOption('--shard', s, 'give i/n with 1 ≤ i ≤ n', 'e.g. --shard 2/4 for the second of four parts');
  return { index, count };
}

/** `--set NAME=VALUE` split, or undefined when it has not that form. */
function splitSet(kv: string): [name: string, value: string] | undefined {
  const m = /^([A-Za-z0-9_-]+)=(.*)$/s.exec(kv);
  return m ? [m[1]!, m[2]!] : undefined;
}

/** `--set NAME=VALUE` (or another option of that form), each checked for its form here; the scenario checks the name and the value. */
export function setPairsOf(option: string) {
  return (value: string | string[]): string[] => {
    const all = (Array.isArray(value) ? value : [value]).map(String);
    for (const s of all)
      if (!splitSet(s)) throw badOption(option, s, 'expected NAME=VALUE', `for example ${option} duration=2`);
    return all;
  };
}

export const setPairs = setPairsOf('--set');

/** The parameters the pairs set, by name (the last one given wins). */
export function setValues(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(setPairs([...pairs]).map((kv) => splitSet(kv)!));
}

/** With several scenarios (`run --all`, `ab --all`), --set goes to those that declare the parameter. */
export function setsDeclared(pairs: readonly string[], params: Record<string, unknown>): string[] {
  return pairs.filter((kv) => (splitSet(kv)?.[0] ?? '') in params);
}

/** A file a command will write (a report): it can be written, or made in a folder that can be. */
export function outputFile(option: string) {
  return (value: string | string[]): string => {
    const file = nonEmpty(option, 'a file name')(value);
    const st = statOrUndefined(file);
    if (!st) {
      creatableDir(option, path.dirname(path.resolve(file)), file);
      return file;
    }
    if (st.isDirectory()) throw badOption(option, file, 'is a directory', 'give the name of a file');
    try {
      accessSync(file, constants.W_OK);
    } catch (err) {
      throw badOption(option, file, `cannot be written (${(err as NodeJS.ErrnoException).code})`);
    }
    return file;
  };
}

/** A folder a command will write in (results, a report): it is one, or it can be made. */
export function outputDir(option: string) {
  return (value: string | string[]): string => {
    const dir = nonEmpty(option, 'a folder')(value);
    creatableDir(option, path.resolve(dir), dir);
    return dir;
  };
}

/** A folder a command reads (scenarios): it must be there. */
export function existingDir(option: string) {
  return (value: string | string[]): string => {
    const dir = nonEmpty(option, 'a folder')(value);
    if (!statOrUndefined(dir)?.isDirectory()) throw badOption(option, dir, 'is not a folder');
    return dir;
  };
}

/** A folder that may not exist yet (results of a command that only reads them): if it exists, a folder. */
export function folderIfThere(option: string) {
  return (value: string | string[]): string => {
    const dir = nonEmpty(option, 'a folder')(value);
    const st = statOrUndefined(dir);
    if (st && !st.isDirectory()) throw badOption(option, dir, 'is not a folder');
    return dir;
  };
}

/**
 * The nearest existing folder of `dir` must take a new entry. Tried for real (a directory made and
 * removed at once): permission bits do not tell root that /proc or a read-only mount refuses one.
 */
export function creatableDir(option: string, dir: string, shown: string = dir): void {
  let d = dir;
  while (!statOrUndefined(d) && path.dirname(d) !== d) d = path.dirname(d);
  if (!statOrUndefined(d)?.isDirectory()) throw badOption(option, shown, `${d} is not a folder`);
  try {
    rmdirSync(mkdtempSync(path.join(d, '.zonlab-write-check-')));
  } catch (err) {
    throw badOption(
      option,
      shown,
      `nothing can be written in ${d} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      'give a path zonlab can write to',
    );
  }
}

function statOrUndefined(p: string) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}
