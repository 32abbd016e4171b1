import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stateDir } from '../src/paths.js';
import { hostJournalFile } from './host-state.js';

/** A lab that is up: a sandbox held by a process, or a --host lab recorded by its journal. */
export interface LabEntry {
  scenario: string;
  runId: string;
  mode: 'sandbox' | 'host';
  command: 'run' | 'up';
  started: string;
  driver: string;
  /** Sandbox: the process inside the namespaces (as the host sees it), and unshare. */
  holderPid?: number;
  unsharePid?: number;
  namespaces: string[];
}

const dir = () => path.join(stateDir(), 'labs');

export function registerLab(e: LabEntry): void {
  mkdirSync(dir(), { recursive: true, mode: 0o700 });
  const file = path.join(dir(), `${e.runId}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(e, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

export function unregisterLab(runId: string): void {
  try { unlinkSync(path.join(dir(), `${runId}.json`)); } catch { /* already gone */ }
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Live labs; entries whose holder died (or whose host journal is gone) are dropped on the way. */
export function listLabs(): LabEntry[] {
  if (!existsSync(dir())) return [];
  const out: LabEntry[] = [];
  for (const f of readdirSync(dir()).filter((n) => n.endsWith('.json'))) {
    let e: LabEntry;
    try { e = JSON.parse(readFileSync(path.join(dir(), f), 'utf8')) as LabEntry; } catch { continue; }
    const alive = e.mode === 'sandbox' ? isAlive(e.holderPid) : existsSync(hostJournalFile(e.scenario));
    if (alive) out.push(e);
    else unregisterLab(e.runId);
  }
  return out.sort((a, b) => a.started.localeCompare(b.started));
}

export function labsOf(scenario: string): LabEntry[] {
  return listLabs().filter((e) => e.scenario === scenario);
}
