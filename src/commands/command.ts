import type { ArgumentsCamelCase, Argv } from 'yargs';

/**
 * A command module (yargs' CommandModule shape): how the command is called (its builder, which
 * types its options) and its handler, which loads what the command does only when it runs, so
 * `--help` or `up` never load the others. The handler returns the exit code (src/errors.ts).
 */
export interface ZonCommand<A> {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<A>;
  handler: (a: ArgumentsCamelCase<A>) => Promise<number>;
}

/** The checked, typed options a builder gives its handler. */
export type OptionsOf<B> = B extends (y: Argv) => Argv<infer A> ? ArgumentsCamelCase<A> : never;
