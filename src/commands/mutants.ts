import type { Argv } from 'yargs';
import { MUTANTS } from '../mutants/catalogue.js';
import { actionOf, usage, withScenario } from './builders.js';

export const builder = (y: Argv) =>
  withScenario(y)
    .option('only', {
      type: 'string',
      array: true,
      choices: MUTANTS.map((m) => m.name),
      describe: 'run these mutants only (default: every one)',
    })
    .option('jobs', {
      type: 'number',
      default: 1,
      describe: 'mutant runs at once, each in its own sandbox (a killed one mostly waits on timeouts)',
    })
    .check((a) => {
      if (a.host) throw usage('zonlab mutants runs every mutant in a sandbox of its own: --host is not for it');
      if (!Number.isInteger(a.jobs) || a.jobs < 1 || a.jobs > 16)
        throw usage(
          `--jobs ${Number.isNaN(a.jobs) ? 'is not a number' : a.jobs}: give a whole number from 1 to 16 (runs at once; each is a lab with its own traffic)`,
        );
      return true;
    });

/** `zonlab mutants`: the scenario against each mutant of the embedded load balancer; exit 1 when one survives. */
export const handler = actionOf(builder, async () => (await import('./actions/mutants.js')).mutantsCommand);
