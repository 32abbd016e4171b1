import koffi from 'koffi';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cFunctions, once } from '../../lab/c-functions.js';

// `npm test` runs the files with --host tests beside the sandboxed ones (scripts/test.mjs). A --host
// test changes the machine's default namespace, which every audit compares whole: while one runs (its
// lab up, or left for a moment by a SIGKILL it sends), no other test process may take a snapshot. A
// host test holds an exclusive flock on this module's own file for its whole length, a snapshot a
// shared one while it reads. Both take it through a turnstile, an flock on this module's folder held
// while waiting: a host test waits for the snapshot that asked before it, and a file of host tests
// one after another cannot keep snapshots waiting (measured: with no lock, the fault matrix's
// sandboxed series beside its host series saw the host labs in their audits).
const LOCK_SH = 1;
const LOCK_EX = 2;
const EINTR = 4;
const flock = once(() => cFunctions('libc.so.6', { flock: 'int flock(int fd, int operation)' }).flock);
const lockFile = fileURLToPath(import.meta.url);
const turnstile = path.dirname(lockFile);

/** The file opened and flocked (waiting for it): closing the fd lets go. */
function take(file: string, operation: number): number {
  const fd = openSync(file, 'r');
  while ((flock()(fd, operation) as number) !== 0) {
    if (koffi.errno() === EINTR) continue;
    closeSync(fd);
    throw new Error(`flock ${file}: errno ${koffi.errno()}`);
  }
  return fd;
}

function turn(operation: number): number {
  const gate = take(turnstile, LOCK_EX);
  try {
    return take(lockFile, operation);
  } finally {
    closeSync(gate);
  }
}

/** Set while this process runs a host test: its own snapshots are part of it. */
let hostTest = false;

/** A --host test's body, with the default namespace to itself among this tree's test processes. */
export async function asHostTest<T>(body: () => Promise<T>): Promise<T> {
  const fd = turn(LOCK_EX);
  hostTest = true;
  try {
    return await body();
  } finally {
    hostTest = false;
    closeSync(fd);
  }
}

/** Reads the machine (synchronously) while no host test of another process runs. */
export function betweenHostTests<T>(read: () => T): T {
  if (hostTest) return read();
  const fd = turn(LOCK_SH);
  try {
    return read();
  } finally {
    closeSync(fd);
  }
}
