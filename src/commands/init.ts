import type { Argv } from 'yargs';
import { actionOf, common } from './builders.js';
import { identifier, outputDir } from './options.js';

export const builder = (y: Argv) =>
  common(y)
    .positional('dir', {
      type: 'string',
      default: '.',
      coerce: outputDir('DIR'),
      describe: 'the folder that gets scenarios/',
    })
    .option('name', {
      type: 'string',
      default: 'starter',
      coerce: identifier('--name'),
      describe: 'the name of the starter scenario',
    });

export const handler = actionOf(builder, async () => (await import('./actions/init.js')).initCommand);
