import type { Argv } from 'yargs';
import { common } from './builders.js';
import type { OptionsOf } from './command.js';

export const builder = (y: Argv) => common(y).positional('scenario', { type: 'string' });

export async function handler(a: OptionsOf<typeof builder>): Promise<number> {
  return (await import('./actions/status.js')).statusCommand(a);
}
