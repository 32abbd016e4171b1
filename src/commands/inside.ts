import type { Argv } from 'yargs';

/**
 * The inside of a sandboxed `run` or `up` (not in --help): it takes the command's options and plan
 * from the process that made the sandbox (lab/sandbox.ts); its words only name it for `ps`.
 */
export const builder = (y: Argv) =>
  y
    .positional('command', { type: 'string', demandOption: true })
    .positional('scenario', { type: 'string', demandOption: true });

export async function handler(): Promise<number> {
  return (await import('./actions/inside.js')).insideCommand();
}
