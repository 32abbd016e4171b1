import type { Argv } from 'yargs';
import { common, usage, verdictOptions } from './builders.js';
import type { OptionsOf } from './command.js';
import { creatableDir, positiveNumber, repeatCount, shard, wholeNumber } from './options.js';

export const builder = (y: Argv) =>
  verdictOptions(
    common(y).positional('scenario', {
      type: 'string',
      describe: 'a name in the scenario folder or a path to a .toml file',
    }),
  )
    .option('all', {
      type: 'boolean',
      default: false,
      describe:
        'run every scenario of the scenario folder in turn; a summary table; the exit code of the worst outcome',
    })
    .option('shard', {
      type: 'string',
      coerce: shard,
      describe: 'with --all: only the i-th of n stable parts, e.g. --shard 2/4',
    })
    .option('keep', {
      type: 'boolean',
      default: false,
      describe: 'leave the lab up after the checks (then zonlab down)',
    })
    .option('repeat', {
      type: 'string',
      coerce: repeatCount,
      describe:
        "run the throughput checks N times on the same live lab (default: the scenario's repeat, else 1); auto: until the verdict against the baseline is clear (or, without --baseline, the median is known within the threshold)",
    })
    .option('max-repeat', {
      type: 'number',
      coerce: wholeNumber('--max-repeat', 5, 1000),
      describe:
        'with --repeat auto: the most samples of a throughput check (default 20; 5 is the first look at the verdict)',
    })
    .option('budget', {
      type: 'number',
      coerce: positiveNumber('--budget', 'the seconds sampling may take'),
      describe: 'with --repeat auto: the seconds the throughput samples may take in all (default 600)',
    })
    .option('warmup', { type: 'boolean', default: false, describe: 'one uncounted run of each throughput check first' })
    .option('baseline', {
      type: 'boolean',
      default: false,
      describe:
        'compare with the stored baseline; exit 3 on a regression (no baseline yet: said loudly, not a failure); without --repeat it samples as --repeat auto does',
    })
    .check((a) => {
      if (!a.all && !a.scenario) throw usage('name a scenario, or give --all', 'zonlab list shows the scenarios');
      if (a.all && a.scenario) throw usage('give a scenario or --all, not both');
      if (a.shard && !a.all) throw usage('--shard goes with --all');
      if (a.keep && a.all) throw usage('--keep holds one lab: give it with a scenario, not --all');
      if (a.repeat !== undefined && a.repeat !== 'auto' && (a.maxRepeat !== undefined || a.budget !== undefined))
        throw usage(`--${a.maxRepeat !== undefined ? 'max-repeat' : 'budget'} applies to --repeat auto`);
      if (a.repeat === undefined && !a.baseline && (a.maxRepeat !== undefined || a.budget !== undefined))
        throw usage(
          `--${a.maxRepeat !== undefined ? 'max-repeat' : 'budget'} applies to --repeat auto (or --baseline without --repeat)`,
        );
      // a folder given here must take the records; the default one is checked by the run, after root
      if (a.results) creatableDir('--results', a.results);
      return true;
    });

export async function handler(a: OptionsOf<typeof builder>): Promise<number> {
  if (a.all) return (await import('./actions/run-all.js')).runAll(a);
  return (await import('./actions/run.js')).runCommandLine({ ...a, scenario: a.scenario! });
}
