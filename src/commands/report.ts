import type { Argv } from 'yargs';
import { actionOf, common } from './builders.js';
import { outputDir } from './options.js';

export const builder = (y: Argv) =>
  common(y).option('out', {
    type: 'string',
    coerce: outputDir('--out'),
    describe: 'the folder for index.html (default: results/report)',
  });

export const handler = actionOf(builder, async () => (await import('./actions/report.js')).reportCommand);
