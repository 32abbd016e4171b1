import type { Argv } from 'yargs';
import { common } from './builders.js';
import type { OptionsOf } from './command.js';

export const command = 'doctor';
export const describe = 'what this machine has: root and capabilities, each tool and its version, each kernel feature (probed)';
export const builder = (y: Argv) => common(y);

export async function handler(a: OptionsOf<typeof builder>): Promise<number> {
  return (await import('./actions/doctor.js')).doctorCommand(a);
}
