#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DRIVER_NAMES } from './drivers/driver.js';
import { ExitCode, UserError } from './errors.js';
import { choosePaths, resultsDir } from './paths.js';
import type { CommonArgs } from './commands/common.js';
import { creatableDir, existingDir, folderIfThere, fraction, identifier, positiveNumber, repeatCount, nonEmpty, outputDir, outputFile, refusalFor, setPairs, shard, wholeNumber } from './commands/options.js';

/** Commands import their modules when they run, so `--help` and `validate` start fast. */
type Handler<A> = (a: A) => number | Promise<number>;

/** Tests replace the commands that build labs (a number: its exit code) and see the checked options; undefined runs the command. */
export type CommandStub = (command: string, args: object) => number | undefined;


function common<T>(y: Argv<T>) {
  return y
    .option('lb', { choices: DRIVER_NAMES, describe: "load balancer driver (default: the scenario's [lb] driver, else auto: zon-lb if a binary is found, else the embedded XDP driver)" })
    .option('zonlb', { type: 'string', describe: 'path of a zon-lb binary (or set ZONLB)', coerce: nonEmpty('--zonlb', 'the path of a zon-lb binary') })
    .option('host', { type: 'boolean', default: false, describe: "no sandbox: use the machine's real default namespace and the scenario's literal names" })
    .option('json', { type: 'boolean', default: false, describe: 'one JSON document on stdout' })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'print every command run, with its namespace' })
    .option('set', { type: 'string', array: true, default: [] as string[], coerce: setPairs, describe: 'override a scenario parameter: --set NAME=VALUE' })
    .option('scenarios', { type: 'string', coerce: existingDir('--scenarios'), describe: 'the scenario folder (default: ./scenarios, else the shipped examples; or set ZONLAB_SCENARIOS)' })
    .option('results', { type: 'string', coerce: folderIfThere('--results'), describe: 'the results folder (default: ./results; or set ZONLAB_RESULTS)' });
}

function verdictOptions<T>(y: Argv<T>) {
  return y
    .option('max-drop', { type: 'number', coerce: fraction('--max-drop', '0.1 for 10%'), describe: 'the largest throughput drop that is not a regression, as a fraction (default 0.1, or the scenario\'s max_drop)' })
    .option('force', { type: 'boolean', default: false, describe: 'compare even when the environments differ (kernel, CPU, driver, offloads, scenario)' })
    .option('junit', { type: 'string', coerce: outputFile('--junit'), describe: 'write JUnit XML to FILE' })
    .option('markdown', { type: 'string', coerce: outputFile('--markdown'), describe: 'write a Markdown summary to FILE (also appended to $GITHUB_STEP_SUMMARY when set)' });
}

const scenarioArg = <T>(y: Argv<T>) => y.positional('scenario', { type: 'string', demandOption: true, describe: 'a name in the scenario folder (or a shipped example) or a path to a .toml file' });

const stringOf = (x: unknown) => (typeof x === 'string' ? x : undefined);

/** A check of several options together: its error is the user's (exit 2), like a single option's. */
const usage = (why: string, hint?: string) => new UserError(why, ExitCode.badInput, [hint ?? 'zonlab COMMAND --help lists its options']);

export async function main(argv: string[], stub?: CommandStub): Promise<number> {
  let exitCode: number = ExitCode.passed;
  const run = <A extends object>(command: string, load: () => Promise<Handler<A>>) => async (a: A) => {
    exitCode = stub?.(command, a) ?? await (await load())(a);
  };
  const cli = yargs(argv)
    .scriptName('zonlab')
    .usage('$0 <command>\n\nA test lab for XDP load balancers: scenarios of namespaces and veth pairs, real traffic, recorded results.')
    // only a command's own (checked) --scenarios/--results: before a command is named they are unknown words
    .middleware((a) => choosePaths({ scenarios: stringOf(a.scenarios), results: stringOf(a.results) }), true)
    .command('run [scenario]', 'build the lab, load the load balancer, run the checks, record the result, tear down (--all: every scenario)', (y) => verdictOptions(common(y).positional('scenario', { type: 'string', describe: 'a name in the scenario folder or a path to a .toml file' }))
      .option('all', { type: 'boolean', default: false, describe: 'run every scenario of the scenario folder in turn; a summary table; the exit code of the worst outcome' })
      .option('shard', { type: 'string', coerce: shard, describe: 'with --all: only the i-th of n stable parts, e.g. --shard 2/4' })
      .option('keep', { type: 'boolean', default: false, describe: 'leave the lab up after the checks (then zonlab down)' })
      .option('repeat', { type: 'string', coerce: repeatCount, describe: 'run the throughput checks N times on the same live lab (default: the scenario\'s repeat, else 1); auto: until the verdict against the baseline is clear (or, without --baseline, the median is known within the threshold)' })
      .option('max-repeat', { type: 'number', coerce: wholeNumber('--max-repeat', 5, 1000), describe: 'with --repeat auto: the most samples of a throughput check (default 20; 5 is the first look at the verdict)' })
      .option('budget', { type: 'number', coerce: positiveNumber('--budget', 'the seconds sampling may take'), describe: 'with --repeat auto: the seconds the throughput samples may take in all (default 600)' })
      .option('warmup', { type: 'boolean', default: false, describe: 'one uncounted run of each throughput check first' })
      .option('baseline', { type: 'boolean', default: false, describe: 'compare with the stored baseline; exit 3 on a regression (no baseline yet: said loudly, not a failure)' })
      .check((a) => {
        if (!a.all && !a.scenario) throw usage('name a scenario, or give --all', 'zonlab list shows the scenarios');
        if (a.all && a.scenario) throw usage('give a scenario or --all, not both');
        if (a.shard && !a.all) throw usage('--shard goes with --all');
        if (a.keep && a.all) throw usage('--keep holds one lab: give it with a scenario, not --all');
        if (a.repeat !== 'auto' && (a.maxRepeat !== undefined || a.budget !== undefined)) throw usage(`--${a.maxRepeat !== undefined ? 'max-repeat' : 'budget'} applies to --repeat auto`);
        // a folder given here must take the records; the default one is checked by the run, after root
        if (a.results) creatableDir('--results', a.results);
        return true;
      }),
      run('run', async () => {
        const { runCommandLine } = await import('./commands/run.js');
        const { runAll } = await import('./commands/run-all.js');
        return (a: Parameters<typeof runAll>[0] & { scenario?: string }) => (a.all ? runAll(a) : runCommandLine({ ...a, scenario: a.scenario! }));
      }))
    .command('up <scenario>', 'build the lab and load the load balancer; start nothing else', (y) => scenarioArg(common(y)),
      run('up', async () => (await import('./commands/lab-commands.js')).upCommand))
    .command('down <scenario>', 'remove a lab that is up', (y) => scenarioArg(common(y)),
      run('down', async () => (await import('./commands/lab-commands.js')).downCommand))
    .command('status [scenario]', 'show the labs that are up', (y) => common(y).positional('scenario', { type: 'string' }),
      run('status', async () => (await import('./commands/lab-commands.js')).statusCommand))
    .command('exec <scenario> <netns> [cmd..]', "run a command in one of a lab's namespaces (default: the lab's default namespace)", (y) => scenarioArg(common(y)).positional('netns', { type: 'string', demandOption: true }).positional('cmd', { type: 'string', array: true, default: [] as string[] }),
      run('exec', async () => {
        const { execCommand } = await import('./commands/lab-commands.js');
        return (a: Parameters<typeof execCommand>[0] & { '--'?: (string | number)[] }) => execCommand({ ...a, cmd: [...a.cmd, ...(a['--'] ?? []).map(String)] });
      }))
    .command('plan <scenario>', 'print the ordered steps without running anything (no root needed)', (y) => scenarioArg(common(y)),
      run('plan', async () => (await import('./commands/inspect.js')).planCommand))
    .command('validate <scenario>', 'check a scenario and its zonlb.toml (no root needed)', (y) => scenarioArg(common(y)),
      run('validate', async () => (await import('./commands/inspect.js')).validateCommand))
    .command('list', 'the scenarios with one-line descriptions', (y) => common(y),
      run('list', async () => (await import('./commands/inspect.js')).listCommand))
    .command('init [dir]', 'write a starter scenario and its zonlb.toml (the zon-lb README example, commented) into DIR/scenarios/ (default: the working directory)', (y) => common(y)
      .positional('dir', { type: 'string', default: '.', coerce: outputDir('DIR'), describe: 'the folder that gets scenarios/' })
      .option('name', { type: 'string', default: 'starter', coerce: identifier('--name'), describe: 'the name of the starter scenario' }),
      run('init', async () => (await import('./commands/init.js')).initCommand))
    .command('results [scenario] [dirs..]', "the recorded runs as a table; `results merge DIR… --into DIR` joins result folders (one per CI shard) with one verdict", (y) => verdictOptions(common(y))
      .positional('scenario', { type: 'string', describe: 'a scenario, or "merge"' })
      .positional('dirs', { type: 'string', array: true, default: [] as string[], describe: 'with merge: the result folders to join' })
      .option('into', { type: 'string', coerce: outputDir('--into'), describe: 'with merge: the folder that receives the records' })
      .option('baseline', { type: 'boolean', default: false, describe: "with merge: compare each scenario's latest run with its baseline; exit 3 on a regression" })
      .check((a) => {
        if (a.scenario === 'merge' && !a.into) throw usage('results merge needs --into DIR', 'zonlab results merge shard-1/results shard-2/results --into results');
        if (a.scenario !== 'merge' && (a.dirs.length || a.into)) throw usage('folders and --into go with results merge', 'zonlab results [SCENARIO] lists runs; zonlab results merge DIR… --into DIR joins folders');
        return true;
      }),
      run('results', async () => {
        const { resultsCommand } = await import('./commands/inspect.js');
        const { mergeCommand } = await import('./commands/merge.js');
        return (a: Omit<Parameters<typeof mergeCommand>[0], 'into'> & Parameters<typeof resultsCommand>[0] & { into?: string }) => (a.scenario === 'merge' ? mergeCommand({ ...a, into: a.into! }) : resultsCommand(a));
      }))
    .command('baseline save [scenario]', 'store a run (the latest of the scenario, or --from RUN) as its baseline in results/baselines/; --all: the latest passing run of every scenario', (y) => common(y)
      .positional('scenario', { type: 'string' })
      .option('from', { type: 'string', coerce: nonEmpty('--from', 'a run id or a result file (with --all: a results folder)'), describe: 'a run id or a result file; with --all, a results folder (e.g. a CI artifact)' })
      .option('all', { type: 'boolean', default: false, describe: 'every scenario and driver with a passing run' })
      .check((a) => {
        if (!a.all && !a.scenario) throw usage('name a scenario, or give --all');
        if (a.all && a.scenario) throw usage('give a scenario or --all, not both');
        creatableDir('--results', resultsDir());
        return true;
      }),
      run('baseline', async () => (await import('./commands/compare.js')).baselineSaveCommand))
    .command('compare [run]', 'compare a run (default: the latest) with the baseline or with another run; exit 3 on a regression', (y) => verdictOptions(common(y)).positional('run', { type: 'string', describe: 'a run id or a result file' }).option('against', { type: 'string', coerce: nonEmpty('--against', 'a run id, a result file or "baseline"'), describe: 'a run id, a result file, or "baseline" (the default)' }),
      run('compare', async () => (await import('./commands/compare.js')).compareCommand))
    .command('graph <scenario>', 'the topology drawn in the terminal (namespaces, veth pairs, addresses, where XDP and the load balancer sit); --svg FILE for the report\'s drawing', (y) => scenarioArg(common(y)).option('svg', { type: 'string', coerce: outputFile('--svg'), describe: 'write the drawing as SVG to FILE' }),
      run('graph', async () => (await import('./commands/graph.js')).graphCommand))
    .command('audit <action> <file>', 'the leak audit: `save FILE` records namespaces, links, addresses, routes, sysctls, nft, XDP, pins, mounts and processes; `check FILE` compares (exit 1 on a difference)', (y) => common(y).positional('action', { choices: ['save', 'check'] as const, demandOption: true }).positional('file', { type: 'string', demandOption: true })
      .check((a) => {
        if (a.action === 'save') outputFile('FILE')(a.file);
        return true;
      }),
      run('audit', async () => (await import('./commands/audit.js')).auditCommand))
    .command('report', 'a static HTML page: throughput over time with the baseline band, the latest intervals, each topology (no network needed to view it)', (y) => common(y).option('out', { type: 'string', coerce: outputDir('--out'), describe: 'the folder for index.html (default: results/report)' }),
      run('report', async () => (await import('./commands/report.js')).reportCommand))
    .command('doctor', 'what this machine has: root and capabilities, each tool and its version, each kernel feature (probed)', (y) => common(y),
      run('doctor', async () => (await import('./commands/doctor.js')).doctorCommand))
    .command('gc', 'remove everything zonlab runs left behind (found by ownership marker), and nothing else', (y) => common(y),
      run('gc', async () => (await import('./commands/lab-commands.js')).gcCommand))
    .demandCommand(1, 'name a command: zonlab --help lists them')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    // --help and --version end here too, so that main() returns (tests call it in-process)
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs wraps what a coerce throws in a YError of the same message: an option refused
      if (err?.name === 'YError') throw refusalFor(err.message) ?? new UserError(err.message, ExitCode.badInput, ['zonlab --help lists the commands and options']);
      if (err) throw err;
      throw new UserError(msg, ExitCode.badInput, ['zonlab --help lists the commands and options']);
    })
    .parserConfiguration({ 'populate--': true });
  await cli.parseAsync();
  return exitCode;
}

export function report(err: unknown): number {
  if (err instanceof UserError) {
    process.stderr.write(`zonlab: ${err.message}\n${err.details.map((d) => `  ${d}\n`).join('')}`);
    return err.exitCode;
  }
  process.stderr.write(`zonlab: internal error (a bug in zonlab; please report it with this trace)\n${(err as Error)?.stack ?? String(err)}\n`);
  return ExitCode.internal;
}

export type { CommonArgs };

/** Run as a program (also through npm's bin link), not when a test imports main. */
function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(hideBin(process.argv)).then(
    (code) => { process.exitCode = code; },
    (err) => { process.exitCode = report(err); },
  );
}
