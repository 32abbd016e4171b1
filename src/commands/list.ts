import type { Argv } from 'yargs';
import { common } from './builders.js';
import type { OptionsOf } from './command.js';

export const command = 'list';
export const describe = 'the scenarios with one-line descriptions';
export const builder = (y: Argv) => common(y);

export async function handler(a: OptionsOf<typeof builder>): Promise<number> {
  return (await import('./actions/list.js')).listCommand(a);
}
