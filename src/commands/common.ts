import { netlinkRequests, setVerbose, spawnedProcesses } from '../../lab/run-command.js';
import { onSignals, untilSignal } from '../../lab/signals.js';
import type { DriverChoice } from '../drivers/kinds.js';
import { MissingRequirement } from '../errors.js';
import { isRoot } from '../host-facts.js';

/** What the actions of the commands share (the options every command takes, root, progress, --verbose). */
export interface CommonArgs {
  /** undefined: the scenario's [lb] driver (auto unless it says). */
  lb?: DriverChoice;
  zonlb?: string;
  host: boolean;
  json: boolean;
  verbose: boolean;
  set: string[];
}

export function requireRoot(command: string): void {
  if (!isRoot())
    throw new MissingRequirement([`zonlab ${command} needs root (it changes network namespaces and interfaces)`]);
}

export function applyCommon(a: CommonArgs): void {
  if (a.verbose) setVerbose((line) => process.stderr.write(`${line}\n`));
}

/** Progress goes to stderr so stdout stays clean for tables and --json. */
export function progressPrinter(a: Pick<CommonArgs, 'json'>): (line: string) => void {
  // ZONLAB_PROGRESS: run --all reads its scenarios' --json and shows their progress (issue 24)
  return a.json && process.env.ZONLAB_PROGRESS !== '1' ? () => {} : (line) => process.stderr.write(`${line}\n`);
}

/** Holds a lab open until SIGINT or SIGTERM. */
export async function untilSignalled(): Promise<void> {
  await untilSignal(['SIGINT', 'SIGTERM']);
}

/** --verbose: what the command cost in processes (the engine's netlink requests spawn none). */
export function reportCost(a: Pick<CommonArgs, 'verbose'>): void {
  if (a.verbose)
    process.stderr.write(`processes spawned: ${spawnedProcesses()}, netlink requests: ${netlinkRequests()}\n`);
}

interface Signalled {
  signal(s: NodeJS.Signals): void;
}

/**
 * SIGINT/SIGTERM end the child runs under way (each tears its lab down) and the runs after them
 * (run --all, mutants): `during` holds a child for the signal while it runs.
 */
export function stopOnSignal() {
  const children = new Set<Signalled>();
  const state: {
    signal?: NodeJS.Signals;
    during<T>(child: Signalled, done: Promise<T>): Promise<T>;
    release(): void;
  } = {
    during: async (child, done) => {
      children.add(child);
      try {
        return await done;
      } finally {
        children.delete(child);
      }
    },
    release: () => {},
  };
  state.release = onSignals(['SIGINT', 'SIGTERM'], (sig) => {
    state.signal ??= sig;
    for (const c of children) c.signal(sig);
  });
  return state;
}
