import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  commandLine,
  isSameProcess,
  processStart,
  signalProcess,
  untilEnded,
  type ProcessRef,
} from './process-identity.js';

const NETNS_DIR = '/run/netns';

export interface NetnsProcess extends ProcessRef {
  netns: string;
  command: string;
}

/** A named namespace's identity: the device and inode of its nsfs file. */
function nsId(file: string): string | undefined {
  try {
    const st = statSync(file);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/** The processes inside these namespaces: one started by hand with `ip netns exec` keeps the namespace and its links alive. */
export function processesIn(namespaces: string[]): NetnsProcess[] {
  const ids = new Map<string, string>();
  for (const ns of namespaces) {
    const id = nsId(path.join(NETNS_DIR, ns));
    if (id) ids.set(id, ns);
  }
  if (!ids.size) return [];
  const out: NetnsProcess[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue;
    const netns = ids.get(nsId(`/proc/${pid}/ns/net`) ?? '');
    const start = netns === undefined ? undefined : processStart(pid);
    if (netns !== undefined && start !== undefined) out.push({ pid, start, netns, command: commandLine(pid) });
  }
  return out;
}

/**
 * Ends the processes inside the lab's namespaces: SIGTERM, then SIGKILL after the grace period,
 * each to the very process found (pid and start time). Returns them, for the caller to name.
 */
export async function endProcessesIn(namespaces: string[], graceMs = 3_000): Promise<NetnsProcess[]> {
  const found = processesIn(namespaces);
  if (!found.length) return [];
  for (const p of found) signalProcess(p, 'SIGTERM');
  await untilEnded(found, graceMs);
  for (const p of found.filter(isSameProcess)) signalProcess(p, 'SIGKILL');
  await untilEnded(found, 5_000);
  return found;
}

export function describeProcess(p: NetnsProcess): string {
  return `${p.command} (pid ${p.pid}) in ${p.netns}`;
}
