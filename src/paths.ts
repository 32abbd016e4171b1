import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** zonlab's own files (bpf/, lab/topologies/, the example scenarios): this file is dist/src/paths.js once built. */
export const projectRoot = process.env.ZONLAB_HOME || path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The example scenarios shipped with zonlab (zon-lb's examples). */
export const examplesDir = path.join(projectRoot, 'scenarios');
export const topologiesDir = path.join(projectRoot, 'lab', 'topologies');
export const bpfDir = path.join(projectRoot, 'bpf');

/** --scenarios DIR and --results DIR, set by the command line before a command runs. */
const chosen: { scenarios?: string; results?: string } = {};

export function choosePaths(p: { scenarios?: string; results?: string }): void {
  chosen.scenarios = p.scenarios === undefined ? undefined : path.resolve(p.scenarios);
  chosen.results = p.results === undefined ? undefined : path.resolve(p.results);
}

/** Where the user's own scenarios and results live: ZONLAB_HOME when set (as before), else the working directory. */
function home(): string {
  return process.env.ZONLAB_HOME || process.cwd();
}

/**
 * The scenarios a command works on (`run --all`, `list`, names): --scenarios DIR, else
 * ZONLAB_SCENARIOS, else ./scenarios when there is one, else the shipped examples.
 */
export function scenariosDir(): string {
  const given = chosen.scenarios ?? process.env.ZONLAB_SCENARIOS;
  if (given) return path.resolve(given);
  const local = path.join(home(), 'scenarios');
  return isDirectory(local) ? local : examplesDir;
}

export function resultsDir(): string {
  return (
    chosen.results ??
    (process.env.ZONLAB_RESULTS ? path.resolve(process.env.ZONLAB_RESULTS) : path.join(home(), 'results'))
  );
}

export { stateDir } from '../lab/state-files.js';

function isDirectory(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isDirectory();
  } catch {
    return false;
  }
}
