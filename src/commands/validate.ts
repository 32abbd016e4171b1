import { scenarioCommand } from './builders.js';

/** `zonlab validate`: the scenario and its zonlb.toml checked. */
export const { builder, handler } = scenarioCommand(
  async () => (await import('./actions/validate.js')).validateCommand,
);
