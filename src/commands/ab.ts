import type { Argv } from 'yargs';
import { common, usage } from './builders.js';
import type { OptionsOf } from './command.js';
import {
  badOption,
  creatableDir,
  fraction,
  outputFile,
  positiveNumber,
  repeatCount,
  setPairsOf,
  shard,
  single,
  wholeNumber,
} from './options.js';
import { isRefusal, parseLbSpec, type LbSpec } from '../session/ab/lb-spec.js';

/** --a/--b: nft, none, embedded, embedded:PATH.o or zon-lb:PATH. */
export function lbSide(option: string) {
  return (value: string | string[]): LbSpec => {
    const v = single(option, value);
    const spec = parseLbSpec(String(v));
    if (isRefusal(spec)) throw badOption(option, v, spec.why, spec.hint);
    return spec;
  };
}

export const builder = (y: Argv) =>
  common(y)
    .positional('scenario', { type: 'string', describe: 'a name in the scenario folder or a path to a .toml file' })
    .option('a', {
      type: 'string',
      coerce: lbSide('--a'),
      describe:
        'the load balancer A (the reference): nft, none, embedded, embedded:PATH.o (another build of the program), zon-lb:PATH (a zon-lb binary)',
    })
    .option('b', {
      type: 'string',
      coerce: lbSide('--b'),
      describe: 'the load balancer B (the change under test), as --a',
    })
    .option('a-set', {
      type: 'string',
      array: true,
      default: [] as string[],
      coerce: setPairsOf('--a-set'),
      describe:
        "a scenario parameter for A alone, after --set: --a-set NAME=VALUE (e.g. A as the kernel's routing straight to the backend)",
    })
    .option('b-set', {
      type: 'string',
      array: true,
      default: [] as string[],
      coerce: setPairsOf('--b-set'),
      describe: 'a scenario parameter for B alone, as --a-set',
    })
    .option('all', {
      type: 'boolean',
      default: false,
      describe:
        'every scenario of the scenario folder with a throughput check, in turn; one table; the exit code of the worst outcome',
    })
    .option('shard', {
      type: 'string',
      coerce: shard,
      describe: 'with --all: only the i-th of n stable parts, e.g. --shard 2/4',
    })
    .option('repeat', {
      type: 'string',
      coerce: repeatCount,
      describe:
        'rounds (each: one sample of every throughput check on A and on B): N, or auto (default): until every verdict is clear at a planned look, or the cap',
    })
    .option('max-repeat', {
      type: 'number',
      coerce: wholeNumber('--max-repeat', 3, 1000),
      describe: 'with --repeat auto: the most rounds (default 20)',
    })
    .option('budget', {
      type: 'number',
      coerce: positiveNumber('--budget', 'the seconds sampling may take'),
      describe: 'with --repeat auto: the seconds the rounds of a scenario may take (default 600)',
    })
    .option('max-drop', {
      type: 'number',
      coerce: fraction('--max-drop', '0.1 for 10%'),
      describe:
        "the largest change of B against A that is not a regression, as a fraction (default 0.1, or the scenario's max_drop)",
    })
    .option('junit', {
      type: 'string',
      coerce: outputFile('--junit'),
      describe: 'write JUnit XML to FILE (a case per check and measurement; regressed: a failure)',
    })
    .option('markdown', {
      type: 'string',
      coerce: outputFile('--markdown'),
      describe: 'write a Markdown summary to FILE (also appended to $GITHUB_STEP_SUMMARY when set)',
    })
    .check((a) => {
      if (!a.all && !a.scenario) throw usage('name a scenario, or give --all', 'zonlab list shows the scenarios');
      if (a.all && a.scenario) throw usage('give a scenario or --all, not both');
      if (a.shard && !a.all) throw usage('--shard goes with --all');
      if (!a.a || !a.b)
        throw usage(
          `zonlab ab needs --a and --b (${!a.a ? '--a' : '--b'} is missing)`,
          'e.g. zonlab ab lb-bench --a nft --b embedded',
        );
      if (a.lb || a.zonlb)
        throw usage(
          `--${a.lb ? 'lb' : 'zonlb'} does not apply to ab: each side names its load balancer`,
          'zon-lb binaries as --a zon-lb:PATH --b zon-lb:PATH',
        );
      if (a.host)
        throw usage(
          'zonlab ab runs each side in its own sandbox: --host would put both labs, with the same names, on the machine',
          'leave out --host',
        );
      if (a.repeat !== undefined && a.repeat !== 'auto' && (a.maxRepeat !== undefined || a.budget !== undefined))
        throw usage(`--${a.maxRepeat !== undefined ? 'max-repeat' : 'budget'} applies to --repeat auto`);
      if (a.results) creatableDir('--results', a.results);
      return true;
    });

export async function handler(a: OptionsOf<typeof builder>): Promise<number> {
  const { abCommand } = await import('./actions/ab.js');
  return abCommand({ ...a, a: a.a!, b: a.b! });
}
