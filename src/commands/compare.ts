import type { Argv } from 'yargs';
import { actionOf, common, verdictOptions } from './builders.js';
import { nonEmpty } from './options.js';

export const builder = (y: Argv) =>
  verdictOptions(common(y))
    .positional('run', { type: 'string', describe: 'a run id or a result file' })
    .option('against', {
      type: 'string',
      coerce: nonEmpty('--against', 'a run id, a result file or "baseline"'),
      describe: 'a run id, a result file, or "baseline" (the default)',
    });

export const handler = actionOf(builder, async () => (await import('./actions/compare.js')).compareCommand);
