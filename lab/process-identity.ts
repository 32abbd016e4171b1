import { readFileSync } from 'node:fs';

/** A process named for sure: pid and start time (/proc/PID/stat field 22); a pid alone can be reused once ours has ended. */
export interface ProcessRef {
  pid: number;
  start: string;
}

/** Field 22 of /proc/PID/stat, or undefined when there is no such process (or only its zombie). */
export function processStart(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // field 2 (the command) is in parentheses and may hold spaces and ')': count from the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // a zombie has already left its namespaces and can do nothing more: it counts as ended
    return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

export function processRef(pid: number | undefined): ProcessRef | undefined {
  const start = pid === undefined ? undefined : processStart(pid);
  return start === undefined ? undefined : { pid: pid!, start };
}

export function selfRef(): ProcessRef {
  return processRef(process.pid)!;
}

/** The very process that was recorded is still running (not merely a process with its pid). */
export function isSameProcess(ref: Partial<ProcessRef> | undefined): boolean {
  return ref?.pid !== undefined && ref.start !== undefined && processStart(ref.pid) === ref.start;
}

/**
 * Sends a signal only to the recorded process itself; a reused pid, or a record without a start
 * time, is never signalled. Returns whether the signal went out.
 */
export function signalProcess(ref: Partial<ProcessRef> | undefined, signal: NodeJS.Signals): boolean {
  if (!isSameProcess(ref)) return false;
  try {
    process.kill(ref!.pid!, signal);
    return true;
  } catch {
    return false;
  }
}

/** The command line of a process, for messages ("iperf3 -s -p 5201"). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '?';
  }
}

/** Waits, up to `ms`, until none of these very processes runs; whether they all ended in time. */
export async function untilEnded(refs: readonly (Partial<ProcessRef> | undefined)[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (refs.some(isSameProcess)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
