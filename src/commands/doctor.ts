import { commonCommand } from './builders.js';

/** `zonlab doctor`: what this machine has. */
export const { builder, handler } = commonCommand(async () => (await import('./actions/doctor.js')).doctorCommand);
