import type { Argv } from 'yargs';
import { withScenario } from './builders.js';
import type { OptionsOf } from './command.js';
import { outputFile } from './options.js';

export const builder = (y: Argv) => withScenario(y).option('svg', { type: 'string', coerce: outputFile('--svg'), describe: 'write the drawing as SVG to FILE' });

export async function handler(a: OptionsOf<typeof builder>): Promise<number> {
  return (await import('./actions/graph.js')).graphCommand(a);
}
