import { scenarioCommand } from './builders.js';

/** `zonlab plan`: the ordered steps, printed; nothing runs. */
export const { builder, handler } = scenarioCommand(async () => (await import('./actions/plan.js')).planCommand);
