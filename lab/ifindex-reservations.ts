import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { cFunctions, once } from './c-functions.js';
import { LabError } from './errors.js';
import { reservationDir } from './state-files.js';

/** zon-lb's devmap of ports (TxPorts::init) holds interface indexes below 256. */
export const ZONLB_MAX_IFINDEX = 255;

const LOCK_EX = 2;
const LOCK_NB = 4;
const flock = once(() => cFunctions('libc.so.6', { flock: 'int flock(int fd, int operation)' }).flock);

/** Takes an exclusive flock without waiting: false when another open file holds one. */
function tryLock(fd: number): boolean {
  return (flock()(fd, LOCK_EX | LOCK_NB) as number) === 0;
}

/** Open reservation files this process holds (their flocks), by path. */
const held = new Map<string, number>();

export interface ReserveOptions {
  runId: string;
  /** The lab's zon-lb interfaces, each to get an index of its own. */
  interfaces: string[];
  /** Indexes XDP links on the machine have (lab/xdp-links.ts). */
  linkIndexes(): number[];
  /** Indexes taken in the lab's default namespace, where the interfaces are made. */
  inUse(): number[];
  dir?: string;
  /** How long to wait for another process's choice (default 30 s). */
  waitMs?: number;
}

export interface Reservation {
  /** ifname → index. */
  indexes: Record<string, number>;
  /** The reservation files, for the undo. */
  files: string[];
}

/**
 * Interface indexes below 256 that no XDP link on the machine has, no other lab has reserved and
 * the lab's namespace does not use, chosen under the machine-wide lock and held (flocked) for the
 * lab's life. From 255 down: a namespace numbers its own links upwards from 1.
 */
export async function reserveIfindexes(o: ReserveOptions): Promise<Reservation> {
  const dir = o.dir ?? reservationDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lockFile = path.join(dir, 'lock');
  const lock = openSync(lockFile, constants.O_RDWR | constants.O_CREAT, 0o600);
  try {
    const deadline = Date.now() + (o.waitMs ?? 30_000);
    while (!tryLock(lock)) {
      if (Date.now() > deadline)
        throw new LabError(
          `interface indexes: ${lockFile} stayed locked by another zonlab process for ${Math.round((o.waitMs ?? 30_000) / 1000)} s`,
          'failed',
          ['zonlab status shows the labs being built; try again when they are up'],
        );
      await new Promise((r) => setTimeout(r, 10));
    }
    const reserved = liveReservations(dir);
    const links = new Set(o.linkIndexes());
    const inUse = new Set(o.inUse());
    const free: number[] = [];
    for (let i = ZONLB_MAX_IFINDEX; i >= 2 && free.length < o.interfaces.length; i--)
      if (!links.has(i) && !reserved.has(i) && !inUse.has(i)) free.push(i);
    if (free.length < o.interfaces.length) {
      throw new LabError(
        `no interface index below 256 is free for zon-lb on ${o.interfaces.join(', ')}: zon-lb's devmap holds indexes below 256 and it finds a program by index across the machine`,
        'failed',
        [
          `taken: ${links.size} by XDP links on the machine, ${reserved.size} by other labs' zon-lb interfaces, ${inUse.size} in the lab's namespace`,
          'wait for other labs to end, or use --lb embedded',
        ],
      );
    }
    const out: Reservation = { indexes: {}, files: [] };
    o.interfaces.forEach((ifname, k) => {
      const file = path.join(dir, String(free[k]));
      const fd = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC, 0o600);
      tryLock(fd);
      writeSync(fd, `${JSON.stringify({ runId: o.runId, ifname })}\n`);
      held.set(file, fd);
      out.indexes[ifname] = free[k]!;
      out.files.push(file);
    });
    return out;
  } finally {
    closeSync(lock); // releases the lock
  }
}

/** Indexes whose reservation file a live process holds; the others (their process died) are removed. Under the lock. */
function liveReservations(dir: string): Set<number> {
  const live = new Set<number>();
  for (const name of readdirSync(dir).filter((n) => /^\d+$/.test(n))) {
    const file = path.join(dir, name);
    let fd: number;
    try {
      fd = openSync(file, constants.O_RDWR);
    } catch {
      continue;
    }
    try {
      if (!held.has(file) && tryLock(fd)) unlinkSync(file);
      else live.add(Number(name));
    } finally {
      closeSync(fd);
    }
  }
  return live;
}

/**
 * Removes the reservation files that still name this run, and lets go of their flocks. A file
 * another process holds is not this run's any more (a dead run's index, taken since). What it removed.
 */
export function releaseIfindexes(files: string[], runId: string): string[] {
  const removed: string[] = [];
  for (const file of files) {
    let fd = held.get(file);
    held.delete(file);
    if (fd === undefined) {
      try {
        fd = openSync(file, constants.O_RDWR);
      } catch {
        continue;
      }
      if (!tryLock(fd)) {
        closeSync(fd);
        continue;
      }
    }
    try {
      let owner: string | undefined;
      try {
        owner = (JSON.parse(readFileSync(file, 'utf8')) as { runId?: string }).runId;
      } catch {
        /* not a reservation */
      }
      // the path still names this very file (not one made since under the same index)
      if (owner === runId && sameFile(fd, file)) {
        unlinkSync(file);
        removed.push(file);
      }
    } finally {
      closeSync(fd);
    }
  }
  return removed;
}

function sameFile(fd: number, file: string): boolean {
  try {
    const [a, b] = [fstatSync(fd), statSync(file)];
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}
