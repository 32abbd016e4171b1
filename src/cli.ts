#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node
// zonlab opens no TLS connection, and Node 20 reads and parses NODE_EXTRA_CA_CERTS's bundle (and
// builds its own root store) at every start where the variable is set: 90 ms here, two thirds of
// the start (issue 14). Started as a program (`zonlab`, `npx zonlab`) it runs without the variable,
// and so do the processes it starts; `node dist/src/cli.js` keeps the environment as it is.
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Argv } from 'yargs';
import { fileURLToPath } from 'node:url';
import { asUserError, ExitCode, UserError } from './errors.js';
import { choosePaths } from './paths.js';
import type { CommonArgs } from './commands/common.js';
import { refusalFor } from './commands/options.js';
import { quickParse } from './commands/quick-parse.js';

/** Tests replace the commands that build labs (a number: its exit code) and see the checked options; undefined runs the command. */
export type CommandStub = (command: string, args: object) => number | undefined;

const stringOf = (x: unknown) => (typeof x === 'string' ? x : undefined);

export async function main(argv: string[], stub?: CommandStub): Promise<number> {
  const quick = quickParse(argv);
  if (!quick) return viaYargs(argv, stub);
  choosePaths({ scenarios: stringOf(quick.args.scenarios), results: stringOf(quick.args.results) });
  return stub?.(quick.command, quick.args) ?? (await (await quick.load()).handler(quick.args));
}

/** Every command line through yargs: help, every command and option, every refusal. */
export async function viaYargs(argv: string[], stub?: CommandStub): Promise<number> {
  const { COMMANDS } = await import('./commands/index.js');
  const yargs = yargsWordWrapping();
  let exitCode: number = ExitCode.passed;
  const cli = yargs(argv)
    .scriptName('zonlab')
    .usage(
      '$0 <command>\n\nA test lab for XDP load balancers: scenarios of namespaces and veth pairs, real traffic, recorded results.',
    )
    // only a command's own (checked) --scenarios/--results: before a command is named they are unknown words
    .middleware((a) => choosePaths({ scenarios: stringOf(a.scenarios), results: stringOf(a.results) }), true);
  const run = async (command: string, args: object, handler: () => Promise<number>) => {
    exitCode = stub?.(command, args) ?? (await handler());
  };
  for (const register of COMMANDS) register(cli, run);
  cli
    .demandCommand(1, 'name a command: zonlab --help lists them')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(helpWidth())
    // --help and --version end here too, so that main() returns (tests call it in-process)
    .exitProcess(false)
    .fail((msg, err) => {
      throw refused(msg, err);
    })
    .parserConfiguration({ 'populate--': true });
  // after a command's (async) builder, a refused option reaches here without .fail
  await cli.parseAsync().catch((err: Error) => {
    throw refused(err.message, err);
  });
  return exitCode;
}

/**
 * yargs through its CommonJS entry: the ES module entry lays out --help with cliui's stand-in wrap,
 * which cuts every line at the width whatever it cuts ("te\nar down"); the CommonJS one uses
 * wrap-ansi, which breaks between words.
 */
function yargsWordWrapping(): (argv: string[]) => Argv {
  return createRequire(import.meta.url)('yargs/yargs') as (argv: string[]) => Argv;
}

/**
 * The terminal's width (or $COLUMNS when the output is a pipe), 60…110 columns: below 60 the
 * description column is narrower than some words (results/baselines/;), which wrap-ansi cuts.
 */
export function helpWidth(columns = process.stdout.columns, env = process.env.COLUMNS): number {
  const width = columns ?? (Number(env) || 100);
  return Math.max(60, Math.min(110, width));
}

/** What yargs refused, as the user's error (exit 2); an error of ours goes on as it is. */
function refused(msg: string, err: Error | undefined): Error {
  // yargs wraps what a coerce throws in a YError of the same message: an option refused
  if (err?.name === 'YError')
    return (
      refusalFor(err.message) ??
      new UserError(unknownOnce(err.message), ExitCode.badInput, ['zonlab --help lists the commands and options'])
    );
  return err ?? new UserError(unknownOnce(msg), ExitCode.badInput, ['zonlab --help lists the commands and options']);
}

/** yargs names an unknown --bogus-flag twice, as itself and as bogusFlag: "Unknown argument: bogus-flag". */
export function unknownOnce(message: string): string {
  const m = /^Unknown arguments?: (.*)$/s.exec(message);
  if (!m) return message;
  const names = (m[1] ?? '').split(', ');
  const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const kept = names.filter((n) => !names.some((other) => other !== n && other.includes('-') && camel(other) === n));
  return `Unknown argument${kept.length === 1 ? '' : 's'}: ${kept.join(', ')}`;
}

export function report(err: unknown): number {
  const user = asUserError(err);
  if (user) {
    process.stderr.write(`zonlab: ${user.message}\n${user.details.map((d) => `  ${d}\n`).join('')}`);
    return user.exitCode;
  }
  process.stderr.write(
    `zonlab: internal error (a bug in zonlab; please report it with this trace)\n${(err as Error)?.stack ?? String(err)}\n`,
  );
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
  // what yargs' hideBin gives under node: the words after the script
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.exitCode = report(err);
    },
  );
}
