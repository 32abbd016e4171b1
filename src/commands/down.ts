import type { Argv } from 'yargs';
import { actionOf, withScenario } from './builders.js';

export const builder = (y: Argv) =>
  withScenario(y)
    .option('id', {
      type: 'string',
      describe:
        'the lab to remove, by its id (zonlab status lists them): needed when several labs of the scenario are up',
    })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'with --id: stop a run in progress (its checks are cut short and it tears down)',
    });

/** `zonlab down`: a lab that is up, removed; a run in progress only by its id and --force. */
export const handler = actionOf(builder, async () => (await import('./actions/down.js')).downCommand);
