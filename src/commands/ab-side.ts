import type { Argv } from 'yargs';
import { common, usage } from './builders.js';
import type { OptionsOf } from './command.js';

/**
 * The internal half of `zonlab ab` (not in --help): one side, inside the sandbox its parent made.
 * It builds the lab and loads its load balancer once, runs the other checks once, then one sample
 * of every throughput check per request on stdin (src/session/ab/side-schedule.ts).
 */
export const builder = (y: Argv) =>
  common(y)
    .positional('scenario', { type: 'string', demandOption: true, describe: 'the scenario' })
    // it names files (the registry's entry): what newRunId makes, nothing else
    .option('run-id', {
      type: 'string',
      demandOption: true,
      coerce: (id: string) => {
        if (!/^[a-z0-9]{4,16}$/.test(id)) throw usage(`--run-id ${id}: not a run id`);
        return id;
      },
      describe: 'the id zonlab ab gave this side (its registry entry and record)',
    });

export async function handler(a: OptionsOf<typeof builder>): Promise<number> {
  return (await import('./actions/ab-side.js')).abSide(a);
}
