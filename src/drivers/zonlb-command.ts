// zon-lb run as a command: zonlab's environment, and its failures read from what it logs.
import { describeFailure, runCommand, type CommandResult } from '../../lab/run-command.js';
import { ZONLB_ENV } from '../../lab/zonlb-groups.js';
import { stripAnsi } from '../text.js';

/** An env_logger record's first line: `[TIME LEVEL module] message` (the level padded to 5). */
const RECORD = /^\[\S+ +(ERROR|WARN|INFO|DEBUG|TRACE) +[^\]]*\] ?/;

/**
 * zon-lb logs its failures with env_logger and still exits 0. Each ERROR record, whole: a message
 * may span lines (a TOML error quotes the line and a caret under it), which follow the record's
 * first line with no prefix of their own, up to the next record.
 */
export function errorLines(r: Pick<CommandResult, 'stdout' | 'stderr'>): string[] {
  const records: string[][] = [];
  for (const stream of [r.stderr, r.stdout]) {
    let current: string[] | undefined;
    for (const line of stripAnsi(stream).split(/\r?\n/)) {
      const m = RECORD.exec(line);
      if (m) {
        current = m[1] === 'ERROR' ? [line.trim()] : undefined;
        if (current) records.push(current);
      } else if (current && line.trim()) {
        current.push(line.trimEnd());
      }
    }
  }
  return records.map((lines) => lines.join('\n'));
}

export interface ZonlbCommand {
  run(args: string[]): Promise<CommandResult>;
  /** The command's failure in zon-lb's words (every ERROR record), or undefined when it did what it should. */
  failure(r: CommandResult): string | undefined;
  /** Runs it and throws its failure: an exit code of 0 does not say zon-lb did it. */
  must(args: string[]): Promise<CommandResult>;
}

export function zonlbCommand(bin: string): ZonlbCommand {
  const run = (args: string[]) =>
    runCommand([bin, ...args], { reject: false, timeoutMs: 60_000, env: { ...ZONLB_ENV } });
  const failure = (r: CommandResult) => {
    const errors = errorLines(r);
    return errors.length ? errors.join('\n') : r.failed ? describeFailure(r) : undefined;
  };
  const must = async (args: string[]) => {
    const r = await run(args);
    const why = failure(r);
    if (why) throw new Error(`zon-lb ${args.join(' ')} failed: ${why}`);
    return r;
  };
  return { run, failure, must };
}

/** zon-lb's last line, for the record of an event. */
export const said = (r: CommandResult) => `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-1)[0] || 'done';
