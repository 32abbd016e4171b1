import type { Argv } from 'yargs';
import { actionOf, common } from './builders.js';
import { outputFile } from './options.js';

export const builder = (y: Argv) =>
  common(y)
    .positional('action', { choices: ['save', 'check'] as const, demandOption: true })
    .positional('file', { type: 'string', demandOption: true })
    .check((a) => {
      if (a.action === 'save') outputFile('FILE')(a.file);
      return true;
    });

export const handler = actionOf(builder, async () => (await import('./actions/audit.js')).auditCommand);
