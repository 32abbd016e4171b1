import { ipArgv } from './net.js';
import type { Command } from './step-commands.js';

/** Consecutive `ip` commands of one namespace run as one `ip [-n NS] -batch -` process: one process, not hundreds. */
export interface IpLine {
  /** `ip` arguments after the netns option, as one batch line. */
  line: string;
  netns?: string;
}

/** An `ip` command as a batch line, or undefined when it cannot be batched. */
export function asIpLine(c: Command): IpLine | undefined {
  const a = c.argv;
  if (a[0] !== 'ip' || c.netns !== undefined) return undefined;
  let rest = a.slice(1);
  let netns: string | undefined;
  if (rest[0] === '-n') {
    netns = rest[1];
    rest = rest.slice(2);
  }
  // a batch line is split on white space: an argument with any cannot be batched
  if (rest.length === 0 || rest[0]!.startsWith('-') || rest.some((x) => x === '' || /\s|#|"|'|\\/.test(x)))
    return undefined;
  return { line: rest.join(' '), netns };
}

export function batchArgv(netns: string | undefined, force = false): string[] {
  return ipArgv(netns, ...(force ? ['-force'] : []), '-batch', '-');
}

/** "Command failed -:3" → the 1-based lines that failed, each with the message printed before it. */
export function failedBatchLines(stderr: string): { line: number; message: string }[] {
  const out: { line: number; message: string }[] = [];
  let pending: string[] = [];
  for (const l of stderr.split('\n')) {
    const m = /^Command failed -:(\d+)/.exec(l.trim());
    if (m) {
      out.push({ line: Number(m[1]), message: pending.join(' ').trim() });
      pending = [];
    } else if (l.trim()) pending.push(l.trim());
  }
  return out;
}
