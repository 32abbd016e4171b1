import { handedOver } from '../../../lab/sandbox.js';
import type { RunHandover } from './run.js';
import type { UpHandover } from './up.js';

/** Inside the sandbox: the run or up the process outside planned, with its plan and run id. */
export async function insideCommand(): Promise<number> {
  const h = handedOver<RunHandover | UpHandover>();
  if (h.command === 'run') return (await import('./run.js')).runInside(h);
  return (await import('./up.js')).upInside(h);
}
