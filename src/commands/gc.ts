import { commonCommand } from './builders.js';

/** `zonlab gc`: what zonlab runs left behind, removed. */
export const { builder, handler } = commonCommand(async () => (await import('./actions/gc.js')).gcCommand);
