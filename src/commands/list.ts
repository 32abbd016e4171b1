import { commonCommand } from './builders.js';

/** `zonlab list`: the scenarios with their descriptions. */
export const { builder, handler } = commonCommand(async () => (await import('./actions/list.js')).listCommand);
