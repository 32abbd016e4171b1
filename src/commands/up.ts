import type { Argv } from 'yargs';
import { withScenario } from './builders.js';
import type { OptionsOf } from './command.js';

export const builder = (y: Argv) => withScenario(y);

export async function handler(a: OptionsOf<typeof builder>): Promise<number> {
  return (await import('./actions/up.js')).upCommand(a);
}
