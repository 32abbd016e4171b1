import type { Argv } from 'yargs';
import { common } from './builders.js';
import type { OptionsOf } from './command.js';
import { outputFile } from './options.js';

export const builder = (y: Argv) => common(y)
  .positional('action', { choices: ['save', 'check'] as const, demandOption: true })
  .positional('file', { type: 'string', demandOption: true })
  .check((a) => {
    if (a.action === 'save') outputFile('FILE')(a.file);
    return true;
  });

export async function handler(a: OptionsOf<typeof builder>): Promise<number> {
  return (await import('./actions/audit.js')).auditCommand(a);
}
