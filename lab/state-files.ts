import { mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/** Runtime state (journals of --host runs, live sandboxes, locks): gone at reboot, as the labs are. */
export function stateDir(): string {
  return process.env.ZONLAB_STATE ?? '/run/zonlab';
}

/** Its folders: host labs' journals, the registry of live labs, runs' scratch files. */
export const hostDir = (): string => path.join(stateDir(), 'host');
export const labsDir = (): string => path.join(stateDir(), 'labs');
export const workRoot = (): string => path.join(stateDir(), 'work');

/** A --host run's journal; its existence means the lab may be (partly) up. */
export function hostJournalFile(scenario: string): string {
  return path.join(hostDir(), `${scenario}.journal`);
}

/** A run's own scratch files (a driver's copy of its config): removed with its lab. */
export function workDirOf(runId: string): string {
  return path.join(workRoot(), runId);
}

export function removeWorkDir(runId: string): void {
  if (/^[A-Za-z0-9_-]+$/.test(runId)) rmSync(workDirOf(runId), { recursive: true, force: true });
}

export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

let reservationsOverride: string | undefined;

/**
 * The machine's reservations of interface indexes (lab/ifindex-reservations.ts): one file per index,
 * flocked by the process whose lab has it, so the kernel releases it when that process dies, even
 * by SIGKILL and inside a PID namespace; `lock` serialises the choice.
 */
export function reservationDir(): string {
  return reservationsOverride ?? path.join(stateDir(), 'ifindex');
}

/**
 * A sandbox mounts a /run of its own: the machine's reservations stay reachable through a
 * directory opened before that (its /proc/self/fd path), so sandboxes and host labs share them.
 */
export function keepMachineReservations(): void {
  const dir = reservationDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  reservationsOverride = `/proc/self/fd/${openSync(dir, 'r')}`;
}
