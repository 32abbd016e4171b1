import type { Argv } from 'yargs';
import { actionOf, withScenario } from './builders.js';
import { outputFile } from './options.js';

export const builder = (y: Argv) =>
  withScenario(y).option('svg', {
    type: 'string',
    coerce: outputFile('--svg'),
    describe: 'write the drawing as SVG to FILE',
  });

export const handler = actionOf(builder, async () => (await import('./actions/graph.js')).graphCommand);
