#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitCode, UserError } from './errors.js';
import { choosePaths } from './paths.js';
import * as audit from './commands/audit.js';
import * as baseline from './commands/baseline.js';
import type { ZonCommand } from './commands/command.js';
import type { CommonArgs } from './commands/common.js';
import * as compare from './commands/compare.js';
import * as doctor from './commands/doctor.js';
import * as down from './commands/down.js';
import * as exec from './commands/exec.js';
import * as gc from './commands/gc.js';
import * as graph from './commands/graph.js';
import * as init from './commands/init.js';
import * as list from './commands/list.js';
import { refusalFor } from './commands/options.js';
import * as plan from './commands/plan.js';
import * as reportCommand from './commands/report.js';
import * as results from './commands/results.js';
import * as run from './commands/run.js';
import * as status from './commands/status.js';
import * as up from './commands/up.js';
import * as validate from './commands/validate.js';

/** Tests replace the commands that build labs (a number: its exit code) and see the checked options; undefined runs the command. */
export type CommandStub = (command: string, args: object) => number | undefined;

const stringOf = (x: unknown) => (typeof x === 'string' ? x : undefined);

export async function main(argv: string[], stub?: CommandStub): Promise<number> {
  let exitCode: number = ExitCode.passed;
  const cli = yargs(argv)
    .scriptName('zonlab')
    .usage('$0 <command>\n\nA test lab for XDP load balancers: scenarios of namespaces and veth pairs, real traffic, recorded results.')
    // only a command's own (checked) --scenarios/--results: before a command is named they are unknown words
    .middleware((a) => choosePaths({ scenarios: stringOf(a.scenarios), results: stringOf(a.results) }), true);
  const register = <A>(c: ZonCommand<A>) => cli.command<A>({
    command: c.command,
    describe: c.describe,
    builder: c.builder,
    handler: async (a) => {
      exitCode = stub?.(c.command.split(' ')[0]!, a) ?? await c.handler(a);
    },
  });
  // in the order --help lists them; each loads what it does only when it runs
  register(run); register(up); register(down); register(status); register(exec); register(plan); register(validate); register(list);
  register(init); register(results); register(baseline); register(compare); register(graph); register(audit); register(reportCommand); register(doctor); register(gc);
  cli
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
