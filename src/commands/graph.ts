import type { Argv } from 'yargs';
import { withScenario } from './builders.js';
import type { OptionsOf } from './command.js';
import { outputFile } from './options.js';

export const command = 'graph <scenario>';
export const describe = "the topology drawn in the terminal (namespaces, veth pairs, addresses, where XDP and the load balancer sit); --svg FILE for the report's drawing";
export const builder = (y: Argv) => withScenario(y).option('svg', { type: 'string', coerce: outputFile('--svg'), describe: 'write the drawing as SVG to FILE' });

export async function handler(a: OptionsOf<typeof builder>): Promise<number> {
  return (await import('./actions/graph.js')).graphCommand(a);
}
