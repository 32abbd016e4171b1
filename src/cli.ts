#!/usr/bin/env node
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DRIVER_NAMES } from './drivers/driver.js';
import { ExitCode, UserError } from './errors.js';
import type { CommonArgs } from './commands/common.js';

/** Commands import their modules when they run, so `--help` and `validate` start fast. */
type Handler = (a: never) => number | Promise<number>;

let exitCode: number = ExitCode.passed;
const run = (load: () => Promise<Handler>) => async (a: unknown) => {
  exitCode = await (await load())(a as never);
};

function common<T>(y: Argv<T>) {
  return y
    .option('lb', { choices: DRIVER_NAMES, describe: "load balancer driver (default: the scenario's [lb] driver, else auto: zon-lb if a binary is found, else the embedded XDP driver)" })
    .option('zonlb', { type: 'string', describe: 'path of a zon-lb binary (or set ZONLB)', default: process.env.ZONLB })
    .option('host', { type: 'boolean', default: false, describe: "no sandbox: use the machine's real default namespace and the scenario's literal names" })
    .option('json', { type: 'boolean', default: false, describe: 'one JSON document on stdout' })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'print every command run, with its namespace' })
    .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a scenario parameter: --set NAME=VALUE' });
}

function verdictOptions<T>(y: Argv<T>) {
  return y
    .option('max-drop', { type: 'number', describe: 'the largest throughput drop that is not a regression, as a fraction (default 0.1, or the scenario\'s max_drop)' })
    .option('force', { type: 'boolean', default: false, describe: 'compare even when the environments differ (kernel, CPU, driver, offloads, scenario)' })
    .option('junit', { type: 'string', describe: 'write JUnit XML to FILE' })
    .option('markdown', { type: 'string', describe: 'write a Markdown summary to FILE (also appended to $GITHUB_STEP_SUMMARY when set)' })
    .check((a) => {
      // a UserError, so that .fail() passes it on as bad input (exit 2), not as a bug
      const bad = (message: string) => new UserError(message, ExitCode.badInput, ['zonlab run --help describes the options']);
      const m = (a as { maxDrop?: number }).maxDrop;
      if (m !== undefined && !(m > 0 && m < 1)) throw bad(`--max-drop ${m}: give a fraction between 0 and 1, e.g. 0.1 for 10%`);
      const { repeat: r, maxRepeat, budget } = a as { repeat?: number | 'auto'; maxRepeat?: number; budget?: number };
      if (r !== undefined && r !== 'auto' && !(Number.isInteger(r) && r >= 1 && r <= 1000)) throw bad(`--repeat ${r}: give a whole number from 1 to 1000, or auto`);
      if (r !== 'auto' && (maxRepeat !== undefined || budget !== undefined)) throw bad(`--${maxRepeat !== undefined ? 'max-repeat' : 'budget'} applies to --repeat auto`);
      if (maxRepeat !== undefined && !(Number.isInteger(maxRepeat) && maxRepeat >= 5 && maxRepeat <= 1000)) throw bad(`--max-repeat ${maxRepeat}: give a whole number from 5 (the first look at the verdict) to 1000`);
      if (budget !== undefined && !(budget > 0 && Number.isFinite(budget))) throw bad(`--budget ${budget}: give the seconds sampling may take, e.g. 600`);
      return true;
    });
}

const scenarioArg = <T>(y: Argv<T>) => y.positional('scenario', { type: 'string', demandOption: true, describe: 'a name in scenarios/ or a path to a .toml file' });

export async function main(argv: string[]): Promise<number> {
  const cli = yargs(argv)
    .scriptName('zonlab')
    .usage('$0 <command>\n\nA test lab for XDP load balancers: scenarios of namespaces and veth pairs, real traffic, recorded results.')
    .command('run [scenario]', 'build the lab, load the load balancer, run the checks, record the result, tear down (--all: every scenario)', (y) => verdictOptions(common(y).positional('scenario', { type: 'string', describe: 'a name in scenarios/ or a path to a .toml file' }))
      .option('all', { type: 'boolean', default: false, describe: 'run every scenario in turn; a summary table; the exit code of the worst outcome' })
      .option('shard', { type: 'string', describe: 'with --all: only the i-th of n stable parts, e.g. --shard 2/4' })
      .check((a) => {
        if (!a.all && !a.scenario) throw new Error('name a scenario, or give --all');
        if (a.all && a.scenario) throw new Error('give a scenario or --all, not both');
        return true;
      })
      .option('keep', { type: 'boolean', default: false, describe: 'leave the lab up after the checks (then zonlab down)' })
      .option('repeat', { type: 'string', coerce: (v: string) => (/^\d+$/.test(String(v)) ? Number(v) : v), describe: 'run the throughput checks N times on the same live lab (default: the scenario\'s repeat, else 1); auto: until the verdict against the baseline is clear (or, without --baseline, the median is known within the threshold)' })
      .option('max-repeat', { type: 'number', describe: 'with --repeat auto: the most samples of a throughput check (default 20)' })
      .option('budget', { type: 'number', describe: 'with --repeat auto: the seconds the throughput samples may take in all (default 600)' })
      .option('warmup', { type: 'boolean', default: false, describe: 'one uncounted run of each throughput check first' })
      .option('baseline', { type: 'boolean', default: false, describe: 'compare with the stored baseline; exit 3 on a regression' }),
      run(async () => {
        const { runCommandLine } = await import('./commands/run.js');
        const { runAll } = await import('./commands/run-all.js');
        return ((a: { all?: boolean }) => (a.all ? runAll(a as never) : runCommandLine(a as never))) as Handler;
      }))
    .command('up <scenario>', 'build the lab and load the load balancer; start nothing else', (y) => scenarioArg(common(y)),
      run(async () => (await import('./commands/lab-commands.js')).upCommand as Handler))
    .command('down <scenario>', 'remove a lab that is up', (y) => scenarioArg(common(y)),
      run(async () => (await import('./commands/lab-commands.js')).downCommand as Handler))
    .command('status [scenario]', 'show the labs that are up', (y) => common(y).positional('scenario', { type: 'string' }),
      run(async () => (await import('./commands/lab-commands.js')).statusCommand as Handler))
    .command('exec <scenario> <netns> [cmd..]', "run a command in one of a lab's namespaces (default: the lab's default namespace)", (y) => scenarioArg(common(y)).positional('netns', { type: 'string', demandOption: true }).positional('cmd', { type: 'string', array: true, default: [] }),
      run(async () => {
        const { execCommand } = await import('./commands/lab-commands.js');
        return ((a: { cmd: string[]; '--'?: string[] }) => execCommand({ ...(a as object as Parameters<typeof execCommand>[0]), cmd: [...a.cmd, ...(a['--'] ?? [])] })) as Handler;
      }))
    .command('plan <scenario>', 'print the ordered steps without running anything (no root needed)', (y) => scenarioArg(common(y)),
      run(async () => (await import('./commands/inspect.js')).planCommand as Handler))
    .command('validate <scenario>', 'check a scenario and its zonlb.toml (no root needed)', (y) => scenarioArg(common(y)),
      run(async () => (await import('./commands/inspect.js')).validateCommand as Handler))
    .command('list', 'the scenarios with one-line descriptions', (y) => common(y),
      run(async () => (await import('./commands/inspect.js')).listCommand as Handler))
    .command('results [scenario] [dirs..]', "the recorded runs as a table; `results merge DIR… --into DIR` joins result folders (one per CI shard) with one verdict", (y) => verdictOptions(common(y))
      .positional('scenario', { type: 'string', describe: 'a scenario, or "merge"' })
      .positional('dirs', { type: 'string', array: true, default: [] as string[], describe: 'with merge: the result folders to join' })
      .option('into', { type: 'string', describe: 'with merge: the folder that receives the records' })
      .option('baseline', { type: 'boolean', default: false, describe: "with merge: compare each scenario's latest run with its baseline; exit 3 on a regression" }),
      run(async () => {
        const { resultsCommand } = await import('./commands/inspect.js');
        const { mergeCommand } = await import('./commands/merge.js');
        return ((a: { scenario?: string; dirs: string[]; into?: string }) => {
          if (a.scenario !== 'merge') return resultsCommand(a as never);
          if (!a.into) throw new UserError('results merge needs --into DIR', ExitCode.badInput);
          return mergeCommand({ ...(a as never as Parameters<typeof mergeCommand>[0]), into: a.into });
        }) as Handler;
      }))
    .command('baseline save <scenario>', 'store a run (the latest of the scenario, or --from RUN) as its baseline in results/baselines/', (y) => common(y).positional('scenario', { type: 'string', demandOption: true }).option('from', { type: 'string', describe: 'a run id or a result file' }),
      run(async () => (await import('./commands/compare.js')).baselineSaveCommand as Handler))
    .command('compare [run]', 'compare a run (default: the latest) with the baseline or with another run; exit 3 on a regression', (y) => verdictOptions(common(y)).positional('run', { type: 'string', describe: 'a run id or a result file' }).option('against', { type: 'string', describe: 'a run id, a result file, or "baseline" (the default)' }),
      run(async () => (await import('./commands/compare.js')).compareCommand as Handler))
    .command('graph <scenario>', 'the topology drawn in the terminal (namespaces, veth pairs, addresses, where XDP and the load balancer sit); --svg FILE for the report\'s drawing', (y) => scenarioArg(common(y)).option('svg', { type: 'string', describe: 'write the drawing as SVG to FILE' }),
      run(async () => (await import('./commands/graph.js')).graphCommand as Handler))
    .command('audit <action> <file>', 'the leak audit: `save FILE` records namespaces, links, addresses, routes, sysctls, nft, XDP, pins, mounts and processes; `check FILE` compares (exit 1 on a difference)', (y) => common(y).positional('action', { choices: ['save', 'check'] as const, demandOption: true }).positional('file', { type: 'string', demandOption: true }),
      run(async () => (await import('./commands/audit.js')).auditCommand as Handler))
    .command('report', 'a static HTML page: throughput over time with the baseline band, the latest intervals, each topology (no network needed to view it)', (y) => common(y).option('out', { type: 'string', describe: 'the folder for index.html (default: results/report)' }),
      run(async () => (await import('./commands/report.js')).reportCommand as Handler))
    .command('doctor', 'what this machine has: root and capabilities, each tool and its version, each kernel feature (probed)', (y) => common(y),
      run(async () => (await import('./commands/doctor.js')).doctorCommand as Handler))
    .command('gc', 'remove everything zonlab runs left behind (found by ownership marker), and nothing else', (y) => common(y),
      run(async () => (await import('./commands/lab-commands.js')).gcCommand as Handler))
    .demandCommand(1, 'name a command: zonlab --help lists them')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new UserError(msg, ExitCode.badInput, ['zonlab --help lists the commands and options']);
    })
    .parserConfiguration({ 'populate--': true });
  await cli.parseAsync();
  return exitCode;
}

function report(err: unknown): number {
  if (err instanceof UserError) {
    process.stderr.write(`zonlab: ${err.message}\n${err.details.map((d) => `  ${d}\n`).join('')}`);
    return err.exitCode;
  }
  process.stderr.write(`zonlab: internal error (a bug in zonlab; please report it with this trace)\n${(err as Error)?.stack ?? String(err)}\n`);
  return ExitCode.internal;
}

export type { CommonArgs };

main(hideBin(process.argv)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.exitCode = report(err); },
);
