import type { Argv } from 'yargs';
import { common, usage, verdictOptions } from './builders.js';
import type { OptionsOf } from './command.js';
import { outputDir } from './options.js';

export const builder = (y: Argv) =>
  verdictOptions(common(y))
    .positional('scenario', { type: 'string', describe: 'a scenario, or "merge"' })
    .positional('dirs', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'with merge: the result folders to join',
    })
    .option('into', {
      type: 'string',
      coerce: outputDir('--into'),
      describe: 'with merge: the folder that receives the records',
    })
    .option('baseline', {
      type: 'boolean',
      default: false,
      describe: "with merge: compare each scenario's latest run with its baseline; exit 3 on a regression",
    })
    .check((a) => {
      if (a.scenario === 'merge' && !a.into)
        throw usage(
          'results merge needs --into DIR',
          'zonlab results merge shard-1/results shard-2/results --into results',
        );
      if (a.scenario !== 'merge' && (a.dirs.length || a.into))
        throw usage(
          'folders and --into go with results merge',
          'zonlab results [SCENARIO] lists runs; zonlab results merge DIR… --into DIR joins folders',
        );
      return true;
    });

export async function handler(a: OptionsOf<typeof builder>): Promise<number> {
  if (a.scenario === 'merge') return (await import('./actions/merge.js')).mergeCommand({ ...a, into: a.into! });
  return (await import('./actions/results.js')).resultsCommand(a);
}
