import type { Argv } from 'yargs';
import { actionOf, common } from './builders.js';

export const builder = (y: Argv) => common(y).positional('scenario', { type: 'string' });

export const handler = actionOf(builder, async () => (await import('./actions/status.js')).statusCommand);
