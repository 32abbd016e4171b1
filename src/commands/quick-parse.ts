import { DRIVER_NAMES } from '../drivers/driver.js';
import type { ZonCommand } from './command.js';
import { existingDir, folderIfThere, nonEmpty, setPairs } from './options.js';

/**
 * `zonlab up|down SCENARIO` with plain options, parsed without yargs (whose load and parse cost
 * about 90 ms of each start, issue 14). It gives the handler the very object yargs gives; any
 * other command line (help, an unknown or repeated option, a value that looks like an option, a
 * check that refuses) is not parsed here but by yargs, so messages and exit codes stay yargs'.
 */
export interface QuickCommand {
  command: string;
  args: Record<string, unknown>;
  load: () => Promise<ZonCommand<unknown>>;
}

// Maps, not objects: a word like "constructor" must find nothing
const COMMANDS = new Map<string, () => Promise<ZonCommand<unknown>>>([
  ['up', () => import('./up.js') as Promise<ZonCommand<unknown>>],
  ['down', () => import('./down.js') as Promise<ZonCommand<unknown>>],
]);
const FLAGS = new Map([['--host', 'host'], ['--json', 'json'], ['--verbose', 'verbose'], ['-v', 'verbose']]);
const VALUED = new Map([['--lb', 'lb'], ['--zonlb', 'zonlb'], ['--scenarios', 'scenarios'], ['--results', 'results'], ['--set', 'set']]);
const CHECKS: [string, (v: string) => string][] = [['zonlb', nonEmpty('--zonlb', 'the path of a zon-lb binary')], ['scenarios', existingDir('--scenarios')], ['results', folderIfThere('--results')]];

/** A word yargs takes as it is: not an option, not empty, nothing it would read as a number. */
const plainWord = (w: string | undefined): w is string => w !== undefined && /^[^-\s]\S*$/.test(w) && Number.isNaN(Number(w));

export function quickParse(argv: readonly string[]): QuickCommand | undefined {
  const [command = '', ...rest] = argv;
  const load = COMMANDS.get(command);
  if (!load) return undefined;
  const args: Record<string, unknown> = { _: [command], $0: 'zonlab', host: false, json: false, verbose: false, set: [] };
  const seen = new Set<string>();
  const sets: string[] = [];
  let scenario: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    const flag = FLAGS.get(word);
    const key = VALUED.get(word);
    if (flag) {
      if (seen.has(flag)) return undefined;
      seen.add(flag);
      args[flag] = true;
    } else if (key) {
      const value = rest[++i];
      // a value that looks like an option, or words after --set (yargs would gather them into it)
      if (!plainWord(value) || (key === 'set' && rest[i + 1] !== undefined && !rest[i + 1]!.startsWith('-'))) return undefined;
      if (key === 'set') sets.push(value);
      else if (seen.has(key) || (key === 'lb' && !(DRIVER_NAMES as readonly string[]).includes(value))) return undefined;
      else args[key] = value;
      seen.add(key);
    } else if (scenario === undefined && plainWord(word)) {
      scenario = word;
    } else {
      return undefined;
    }
  }
  if (scenario === undefined) return undefined;
  try {
    for (const [key, check] of CHECKS) if (args[key] !== undefined) args[key] = check(args[key] as string);
    args.set = setPairs(sets);
  } catch {
    return undefined;
  }
  args.v = args.verbose;
  args.scenario = scenario;
  return { command, args, load };
}
