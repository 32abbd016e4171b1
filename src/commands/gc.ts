import type { Argv } from 'yargs';
import { actionOf, common } from './builders.js';

export const builder = (y: Argv) =>
  common(y).option('id', {
    type: 'string',
    array: true,
    describe: "only what these runs left (zonlab status lists lab ids): another user's labs are never touched",
  });

/** `zonlab gc`: what zonlab runs left behind, removed; with --id, what those runs left alone. */
export const handler = actionOf(builder, async () => (await import('./actions/gc.js')).gcCommand);
