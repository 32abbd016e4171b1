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
    .check((a) => {
      if (a.host) throw usage('zonlab mutants runs every mutant in a sandbox of its own: --host is not for it');
      return true;
    });

/** `zonlab mutants`: the scenario against each mutant of the embedded load balancer; exit 1 when one survives. */
export const handler = actionOf(builder, async () => (await import('./actions/mutants.js')).mutantsCommand);
