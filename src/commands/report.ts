import type { Argv } from 'yargs';
import { common } from './builders.js';
import type { OptionsOf } from './command.js';
import { outputDir } from './options.js';

export const builder = (y: Argv) => common(y).option('out', { type: 'string', coerce: outputDir('--out'), describe: 'the folder for index.html (default: results/report)' });

export async function handler(a: OptionsOf<typeof builder>): Promise<number> {
  return (await import('./actions/report.js')).reportCommand(a);
}
