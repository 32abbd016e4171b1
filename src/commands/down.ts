import { scenarioCommand } from './builders.js';

/** `zonlab down`: a lab that is up, removed. */
export const { builder, handler } = scenarioCommand(async () => (await import('./actions/down.js')).downCommand);
