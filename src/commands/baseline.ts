import type { Argv } from 'yargs';
import { resultsDir } from '../paths.js';
import { actionOf, common, usage } from './builders.js';
import { creatableDir, nonEmpty } from './options.js';

export const builder = (y: Argv) =>
  common(y)
    .positional('scenario', { type: 'string' })
    .option('from', {
      type: 'string',
      coerce: nonEmpty('--from', 'a run id or a result file (with --all: a results folder)'),
      describe: 'a run id or a result file; with --all, a results folder (e.g. a CI artifact)',
    })
    .option('all', { type: 'boolean', default: false, describe: 'every scenario and driver with a passing run' })
    .option('force', {
      type: 'boolean',
      default: false,
      describe:
        'save a run with fewer than 3 samples of a throughput check (a verdict against it is always inconclusive)',
    })
    .check((a) => {
      if (!a.all && !a.scenario) throw usage('name a scenario, or give --all');
      if (a.all && a.scenario) throw usage('give a scenario or --all, not both');
      creatableDir('--results', resultsDir());
      return true;
    });

export const handler = actionOf(builder, async () => (await import('./actions/baseline.js')).baselineSaveCommand);
