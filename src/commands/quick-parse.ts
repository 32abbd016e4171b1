import { DRIVER_NAMES, type DriverName } from '../drivers/kinds.js';
import type { ScenarioCommandOptions } from './builders.js';
import type { ZonCommand } from './command.js';
import { existingDir, folderIfThere, nonEmpty, setPairs } from './options.js';

/**
 * `zonlab up|down SCENARIO` with plain options, parsed without yargs (whose load and parse cost
 * about 90 ms of each start, issue 14). It gives the handler the very object yargs gives; any
 * other command line (help, an unknown or repeated option, a value that looks like an option, a
 * check that refuses) is not parsed here but by yargs, so messages and exit codes stay yargs'.
 */
/** `down` also takes --id ID and --force (yargs gives force: false when not given). */
export type QuickOptions = ScenarioCommandOptions & { id?: string; force?: boolean };

export interface QuickCommand {
  command: string;
  args: QuickOptions;
  load: () => Promise<Pick<ZonCommand<QuickOptions>, 'handler'>>;
}

// Maps, not objects: a word like "constructor" must find nothing
const COMMANDS = new Map<string, QuickCommand['load']>([
  ['up', () => import('./up.js')],
  [
    'down',
    async () => {
      const { handler } = await import('./down.js');
      return { handler: (a: QuickOptions) => handler({ ...a, id: a.id, force: a.force ?? false }) };
    },
  ],
]);
const FLAGS = new Map<string, 'host' | 'json' | 'verbose' | 'force'>([
  ['--host', 'host'],
  ['--json', 'json'],
  ['--verbose', 'verbose'],
  ['-v', 'verbose'],
  ['--force', 'force'],
]);
const VALUED = new Map<string, 'lb' | 'zonlb' | 'scenarios' | 'results' | 'set' | 'id'>([
  ['--lb', 'lb'],
  ['--zonlb', 'zonlb'],
  ['--scenarios', 'scenarios'],
  ['--results', 'results'],
  ['--set', 'set'],
  ['--id', 'id'],
]);
/** Options only `down` has. */
const DOWN_ONLY = new Set(['force', 'id']);
const CHECKS = {
  zonlb: nonEmpty('--zonlb', 'the path of a zon-lb binary'),
  scenarios: existingDir('--scenarios'),
  results: folderIfThere('--results'),
};
const isDriver = (w: string): w is DriverName => (DRIVER_NAMES as readonly string[]).includes(w);

/** A word yargs takes as it is: not an option, not empty, nothing it would read as a number. */
const plainWord = (w: string | undefined): w is string =>
  w !== undefined && /^[^-\s]\S*$/.test(w) && Number.isNaN(Number(w));

export function quickParse(argv: readonly string[]): QuickCommand | undefined {
  const [command = '', ...rest] = argv;
  const load = COMMANDS.get(command);
  if (!load) return undefined;
  const flags = { host: false, json: false, verbose: false, force: false };
  const values: { lb?: string; zonlb?: string; scenarios?: string; results?: string; id?: string } = {};
  const seen = new Set<string>();
  const sets: string[] = [];
  let scenario: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    const flag = FLAGS.get(word);
    const key = VALUED.get(word);
    if (command !== 'down' && DOWN_ONLY.has(flag ?? key ?? '')) return undefined;
    if (flag) {
      if (seen.has(flag)) return undefined;
      seen.add(flag);
      flags[flag] = true;
    } else if (key) {
      const value = rest[++i];
      // a value that looks like an option, or words after --set (yargs would gather them into it)
      if (!plainWord(value) || (key === 'set' && rest[i + 1] !== undefined && !rest[i + 1]!.startsWith('-')))
        return undefined;
      if (key === 'set') sets.push(value);
      else if (seen.has(key)) return undefined;
      else values[key] = value;
      seen.add(key);
    } else if (scenario === undefined && plainWord(word)) {
      scenario = word;
    } else {
      return undefined;
    }
  }
  const { lb, zonlb, scenarios, results, id } = values;
  if (scenario === undefined || (lb !== undefined && !isDriver(lb))) return undefined;
  const { force, ...common } = flags;
  try {
    // an option not given is undefined here and absent in yargs' object: no handler can tell them apart
    const args: QuickOptions = {
      _: [command],
      $0: 'zonlab',
      ...common,
      ...(command === 'down' ? { force, id } : {}),
      v: flags.verbose,
      scenario,
      set: setPairs(sets),
      lb,
      zonlb: zonlb === undefined ? undefined : CHECKS.zonlb(zonlb),
      scenarios: scenarios === undefined ? undefined : CHECKS.scenarios(scenarios),
      results: results === undefined ? undefined : CHECKS.results(results),
    };
    return { command, args, load };
  } catch {
    return undefined;
  }
}
