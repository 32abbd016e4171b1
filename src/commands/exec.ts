import type { Argv } from 'yargs';
import { withScenario } from './builders.js';
import type { OptionsOf } from './command.js';

export const builder = (y: Argv) =>
  withScenario(y)
    .positional('netns', { type: 'string', demandOption: true })
    .positional('cmd', { type: 'string', array: true, default: [] as string[] })
    .option('id', {
      type: 'string',
      describe:
        'the lab to enter, by its id (zonlab status lists them): needed for a run, or when several labs of the scenario are up',
    });

export async function handler(a: OptionsOf<typeof builder>): Promise<number> {
  // what follows `--` (kept apart by yargs' populate--) is the command too
  const rest = Array.isArray(a['--']) ? a['--'].map(String) : [];
  return (await import('./actions/exec.js')).execCommand({ ...a, cmd: [...a.cmd, ...rest] });
}
