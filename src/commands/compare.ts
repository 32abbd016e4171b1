import type { Argv } from 'yargs';
import { common, verdictOptions } from './builders.js';
import type { OptionsOf } from './command.js';
import { nonEmpty } from './options.js';

export const builder = (y: Argv) => verdictOptions(common(y))
  .positional('run', { type: 'string', describe: 'a run id or a result file' })
  .option('against', { type: 'string', coerce: nonEmpty('--against', 'a run id, a result file or "baseline"'), describe: 'a run id, a result file, or "baseline" (the default)' });

export async function handler(a: OptionsOf<typeof builder>): Promise<number> {
  return (await import('./actions/compare.js')).compareCommand(a);
}
