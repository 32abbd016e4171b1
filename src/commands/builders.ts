import type { Argv } from 'yargs';
import type { OptionsOf, ZonCommand } from './command.js';
import { DRIVER_NAMES } from '../drivers/kinds.js';
import { ExitCode, UserError } from '../errors.js';
import { existingDir, folderIfThere, fraction, nonEmpty, outputFile, setPairs } from './options.js';

/** The options every command takes. */
export function common<T>(y: Argv<T>) {
  return y
    .option('lb', {
      choices: DRIVER_NAMES,
      describe:
        "load balancer driver (default: the scenario's [lb] driver, else auto: zon-lb if a binary is found, else the embedded XDP driver)",
    })
    .option('zonlb', {
      type: 'string',
      describe: 'path of a zon-lb binary (or set ZONLB)',
      coerce: nonEmpty('--zonlb', 'the path of a zon-lb binary'),
    })
    .option('host', {
      type: 'boolean',
      default: false,
      describe: "no sandbox: use the machine's real default namespace and the scenario's literal names",
    })
    .option('json', { type: 'boolean', default: false, describe: 'one JSON document on stdout' })
    .option('verbose', {
      alias: 'v',
      type: 'boolean',
      default: false,
      describe: 'print every command run, with its namespace',
    })
    .option('set', {
      type: 'string',
      array: true,
      default: [] as string[],
      coerce: setPairs,
      describe: 'override a scenario parameter: --set NAME=VALUE',
    })
    .option('scenarios', {
      type: 'string',
      coerce: existingDir('--scenarios'),
      describe: 'the scenario folder (default: ./scenarios, else the shipped examples; or set ZONLAB_SCENARIOS)',
    })
    .option('results', {
      type: 'string',
      coerce: folderIfThere('--results'),
      describe: 'the results folder (default: ./results; or set ZONLAB_RESULTS)',
    });
}

/** The options of the commands that judge runs against a baseline and write CI reports. */
export function verdictOptions<T>(y: Argv<T>) {
  return y
    .option('max-drop', {
      type: 'number',
      coerce: fraction('--max-drop', '0.1 for 10%'),
      describe:
        "the largest throughput drop that is not a regression, as a fraction (default 0.1, or the scenario's max_drop)",
    })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'compare even when the environments differ (kernel, CPU, driver, offloads, scenario)',
    })
    .option('junit', { type: 'string', coerce: outputFile('--junit'), describe: 'write JUnit XML to FILE' })
    .option('markdown', {
      type: 'string',
      coerce: outputFile('--markdown'),
      describe: 'write a Markdown summary to FILE (also appended to $GITHUB_STEP_SUMMARY when set)',
    });
}

/** The common options and the scenario a command needs. */
export const withScenario = <T>(y: Argv<T>) =>
  common(y).positional('scenario', {
    type: 'string',
    demandOption: true,
    describe: 'a name in the scenario folder (or a shipped example) or a path to a .toml file',
  });

/** A check of several options together: its error is the user's (exit 2), like a single option's. */
export const usage = (why: string, hint?: string) =>
  new UserError(why, ExitCode.badInput, [hint ?? 'zonlab COMMAND --help lists its options']);

const commonOnly = (y: Argv) => common(y);
const scenarioOnly = (y: Argv) => withScenario(y);
type Action<B> = () => Promise<(a: OptionsOf<B>) => number | Promise<number>>;

/** The handler of a command whose builder is BUILDER: it loads the command's action when it runs. */
export function actionOf<B extends (y: Argv) => Argv<unknown>>(
  builder: B,
  action: Action<B>,
): (a: OptionsOf<B>) => Promise<number> {
  return async (a) => (await action())(a);
}

/** A command of the common options alone, whose action is loaded when it runs. */
export function commonCommand(action: Action<typeof commonOnly>): ZonCommand<OptionsOf<typeof commonOnly>> {
  return { builder: commonOnly, handler: actionOf(commonOnly, action) };
}

/** What the handler of a command of the common options and a scenario (up, down, …) receives. */
export type ScenarioCommandOptions = OptionsOf<typeof scenarioOnly>;

/** A command of the common options and a scenario, whose action is loaded when it runs. */
export function scenarioCommand(action: Action<typeof scenarioOnly>): ZonCommand<ScenarioCommandOptions> {
  return { builder: scenarioOnly, handler: actionOf(scenarioOnly, action) };
}
