import { startBackground } from '../../lab/run-command.js';
import { childExit } from '../errors.js';

/**
 * Another zonlab command in a process of its own (a scenario of `run --all`, a build of `mutants`),
 * through the one place that spawns: its exit code (128 + N for signal N), stdout and stderr.
 */
export function zonlabChild(args: string[], o: { env?: Record<string, string>; onStderr?(chunk: string): void } = {}) {
  const proc = startBackground([process.execPath, process.argv[1]!, ...args], { env: o.env, onStderr: o.onStderr });
  proc.closeInput();
  const done = proc.done.then((r) => ({ code: childExit(r.exitCode, r.signal), stdout: r.stdout, stderr: r.stderr }));
  return { process: proc, done };
}
