import { scenarioCommand } from './builders.js';

/** `zonlab up`: the lab built and the load balancer loaded; nothing else started. */
export const { builder, handler } = scenarioCommand(async () => (await import('./actions/up.js')).upCommand);
