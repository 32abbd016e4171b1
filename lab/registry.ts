import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { isSameProcess, processStart } from './process-identity.js';
import { hostJournalFile, labsDir, listDir } from './state-files.js';

/** A lab that is up or being built: a sandbox held by a process, or a --host lab with its journal. */
export interface LabEntry {
  scenario: string;
  runId: string;
  mode: 'sandbox' | 'host';
  command: 'run' | 'up';
  started: string;
  driver: string;
  /** Sandbox: the process inside the namespaces (as the host sees it), and unshare, with their start times. */
  holderPid?: number;
  holderStart?: string;
  unsharePid?: number;
  unshareStart?: string;
  /** Host: the zonlab process that builds (and, for a run, runs) the lab, while it lives. */
  pid?: number;
  pidStart?: string;
  /** Host: left up on purpose when its process ended (`up --host`, `run --host --keep`). */
  leftUp?: boolean;
  namespaces: string[];
  /** Who started it: what `status` shows, and what `down` names when it refuses to stop someone's run. */
  owner?: LabOwner;
}

/**
 * The environment variable that names an auditor's scope (a test file): what a process started under
 * it makes is that auditor's to account for, and a lab records it with its owner.
 */
export const AUDIT_SCOPE_ENV = 'ZONLAB_AUDIT_SCOPE';

/** The user and zonlab process that started a lab, where and how. */
export interface LabOwner {
  user: string;
  uid: number;
  /** The user sudo was run by, when zonlab runs under sudo. */
  sudoUser?: string;
  pid: number;
  cwd: string;
  command: string;
  /** The audit scope it was started under, if any: a --host lab outlives its process, not its scope. */
  auditScope?: string;
}

/** This process as a lab's owner. */
export function currentOwner(): LabOwner {
  let user = String(process.getuid?.() ?? '?');
  try {
    user = userInfo().username;
  } catch {
    /* a uid without a name */
  }
  const sudoUser = process.env.SUDO_USER || undefined;
  return {
    user,
    uid: process.getuid?.() ?? -1,
    ...(sudoUser ? { sudoUser } : {}),
    pid: process.pid,
    cwd: process.cwd(),
    command: ['zonlab', ...process.argv.slice(2)].join(' '),
    ...(process.env[AUDIT_SCOPE_ENV] ? { auditScope: process.env[AUDIT_SCOPE_ENV] } : {}),
  };
}

/** "user root (sudo from ann), pid 42, in /home/ann/lab: zonlab run veth-netns": whose a lab is, in words. */
export function ownerWords(o: LabOwner | undefined): string {
  if (!o) return 'owner not recorded';
  return `user ${o.user}${o.sudoUser ? ` (sudo from ${o.sudoUser})` : ''}, pid ${o.pid}, in ${o.cwd}: ${o.command}`;
}

/** Records a lab; pids are recorded with their start times, so a reused pid is never taken for it. */
export function registerLab(e: LabEntry): void {
  const entry = {
    ...e,
    // the process that registers a lab is the one that started it
    owner: e.owner ?? currentOwner(),
    ...(e.holderPid && !e.holderStart ? { holderStart: processStart(e.holderPid) } : {}),
    ...(e.unsharePid && !e.unshareStart ? { unshareStart: processStart(e.unsharePid) } : {}),
    ...(e.pid && !e.pidStart ? { pidStart: processStart(e.pid) } : {}),
  };
  mkdirSync(labsDir(), { recursive: true, mode: 0o700 });
  const file = path.join(labsDir(), `${e.runId}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(entry, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

export function unregisterLab(runId: string): void {
  try {
    unlinkSync(path.join(labsDir(), `${runId}.json`));
  } catch {
    /* already gone */
  }
}

/** The sandbox's holder is still the very process that was recorded. */
export function holderAlive(e: LabEntry): boolean {
  return isSameProcess({ pid: e.holderPid, start: e.holderStart });
}

/** Every entry as recorded, live or not. */
export function readEntries(): LabEntry[] {
  const out: LabEntry[] = [];
  for (const f of listDir(labsDir()).filter((n) => n.endsWith('.json'))) {
    try {
      out.push(JSON.parse(readFileSync(path.join(labsDir(), f), 'utf8')) as LabEntry);
    } catch {
      /* a torn entry: skipped */
    }
  }
  return out;
}

/**
 * Labs that are up: sandboxes whose holder lives, host labs whose journal exists (lab/host-state.ts
 * tells a live run from one left up or one whose run was killed). Entries of neither are dropped.
 */
export function listLabs(): LabEntry[] {
  const out: LabEntry[] = [];
  for (const e of readEntries()) {
    const alive = e.mode === 'sandbox' ? holderAlive(e) : existsSync(hostJournalFile(e.scenario));
    if (alive) out.push(e);
    else unregisterLab(e.runId);
  }
  return out.sort((a, b) => a.started.localeCompare(b.started));
}

export function labsOf(scenario: string): LabEntry[] {
  return listLabs().filter((e) => e.scenario === scenario);
}
