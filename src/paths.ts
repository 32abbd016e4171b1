import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The project root: this file is dist/src/paths.js once built. */
export const projectRoot = process.env.ZONLAB_HOME ?? path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

export const scenariosDir = path.join(projectRoot, 'scenarios');
export const topologiesDir = path.join(projectRoot, 'lab', 'topologies');
export const bpfDir = path.join(projectRoot, 'bpf');

export function resultsDir(): string {
  return process.env.ZONLAB_RESULTS ?? path.join(projectRoot, 'results');
}

/** Runtime state (journals of --host runs, live sandboxes, locks): gone at reboot, as the labs are. */
export function stateDir(): string {
  return process.env.ZONLAB_STATE ?? '/run/zonlab';
}
