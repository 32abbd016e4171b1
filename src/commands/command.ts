import type { ArgumentsCamelCase, Argv } from 'yargs';

/**
 * A command module: how the command is called (its builder, which checks and types its options)
 * and its handler, which loads what the command does only when it runs (so a command's --help
 * stays light). The handler returns the exit code (src/errors.ts). Its words and help line are in
 * ./index.ts, so that the CLI loads only the module of the command given.
 */
export interface ZonCommand<A> {
  builder: (y: Argv) => Argv<A>;
  handler: (a: ArgumentsCamelCase<A>) => Promise<number>;
}

/** The checked, typed options a builder gives its handler. */
export type OptionsOf<B> = B extends (y: Argv) => Argv<infer A> ? ArgumentsCamelCase<A> : never;
