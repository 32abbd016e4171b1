import type { Command } from './step-commands.js';
import { releasePins } from './zonlb-pins.js';
import type { Endpoint } from './zonlb-groups.js';

/**
 * An undo journalled as what to undo, not as a program to run: this version's teardown interprets
 * it, so a journal written by one version of zonlab is undone by the next (a path into dist/ was
 * not: it named one install's code). Commands stay for what a system tool undoes (ip, nft, sysctl).
 */
export type UndoIntent =
  /** zon-lb's link pins on these interfaces, then its map pins when no zon-lb link is left. */
  | { kind: 'zonlb-pins-teardown'; bpffs: string; interfaces: string[] }
  /** The run's reservations of interface indexes (lab/ifindex-reservations.ts). */
  | { kind: 'ifindex-release'; runId: string; files: string[] }
  /** A --host lab's groups (and their backends) in zon-lb's shared maps: its services on its interfaces. */
  | { kind: 'zonlb-groups-remove'; zonlb: string; bpffs: string; interfaces: string[]; services: Endpoint[] };

/** One undo of a journal entry: a command to run, or an intent to interpret. */
export type Undo = Command | UndoIntent;

export const isIntent = (u: Undo): u is UndoIntent => 'kind' in u;

const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

/**
 * An intent as a journal holds it. A kind this version does not know (a newer zonlab's) is kept,
 * so that teardown reports it instead of forgetting the step.
 */
export function isValidIntent(x: unknown): x is UndoIntent {
  const u = x as Record<string, unknown> | null;
  if (!u || typeof u !== 'object' || typeof u.kind !== 'string') return false;
  if (u.kind === 'zonlb-pins-teardown')
    return typeof u.bpffs === 'string' && u.bpffs.startsWith('/') && strings(u.interfaces);
  if (u.kind === 'zonlb-groups-remove') {
    const eps = u.services as Partial<Endpoint>[];
    return (
      typeof u.zonlb === 'string' &&
      typeof u.bpffs === 'string' &&
      u.bpffs.startsWith('/') &&
      strings(u.interfaces) &&
      Array.isArray(eps) &&
      eps.every((e) => typeof e?.ip === 'string' && typeof e.proto === 'number' && typeof e.port === 'number')
    );
  }
  if (u.kind === 'ifindex-release')
    return typeof u.runId === 'string' && strings(u.files) && u.files.every((f) => f.startsWith('/'));
  return true;
}

/** Journals written before intents ran `node …/dist/src/drivers/zonlb-pins.js BPFFS IF…`: the same intent. */
export function legacyIntent(cmd: Command): UndoIntent | undefined {
  const [, script, bpffs, ...interfaces] = cmd.argv;
  return script?.endsWith('/zonlb-pins.js') && bpffs?.startsWith('/')
    ? { kind: 'zonlb-pins-teardown', bpffs, interfaces }
    : undefined;
}

/** Carries out an intent; what it did, as teardown reports it. Throws on a kind it does not know. */
export async function runIntent(u: UndoIntent): Promise<string[]> {
  switch (u.kind) {
    case 'zonlb-pins-teardown':
      return releasePins(u.bpffs, u.interfaces).map((p) => `removed ${p}`);
    // loaded when needed: koffi and a TOML parser are no part of every command's start
    case 'zonlb-groups-remove':
      return (await import('./zonlb-groups.js')).removeLabGroups(u.zonlb, u.bpffs, u.interfaces, u.services);
    case 'ifindex-release':
      return (await import('./ifindex-reservations.js')).releaseIfindexes(u.files, u.runId).map((p) => `released ${p}`);
    default:
      throw new Error(
        `unknown undo kind ${JSON.stringify((u as { kind: string }).kind)} (written by a newer zonlab? undo it with that version)`,
      );
  }
}

/** As teardown names a failed undo. */
export function describeUndo(u: Undo): string {
  return isIntent(u) ? `${u.kind} ${JSON.stringify(u)}` : u.argv.join(' ');
}
