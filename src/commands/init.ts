import type { Argv } from 'yargs';
import { common } from './builders.js';
import type { OptionsOf } from './command.js';
import { identifier, outputDir } from './options.js';

export const builder = (y: Argv) => common(y)
  .positional('dir', { type: 'string', default: '.', coerce: outputDir('DIR'), describe: 'the folder that gets scenarios/' })
  .option('name', { type: 'string', default: 'starter', coerce: identifier('--name'), describe: 'the name of the starter scenario' });

export async function handler(a: OptionsOf<typeof builder>): Promise<number> {
  return (await import('./actions/init.js')).initCommand(a);
}
