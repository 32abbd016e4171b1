import { runCommand, type CommandResult } from './run-command.js';
import { describeStep, type Step } from '../src/plan/steps.js';
import { UserError, ExitCode } from '../src/errors.js';
import type { Journal } from './journal.js';
import { stepCommands } from './step-commands.js';

/** A step failed: which one, the command, and what the kernel said. */
export class StepFailed extends UserError {
  constructor(readonly step: string, readonly result: CommandResult) {
    const cmd = `${result.netns ? `[netns ${result.netns}] ` : ''}${result.argv.join(' ')}`;
    super(`step failed: ${step}`, ExitCode.checkFailed, [`command: ${cmd}`, `said: ${(result.stderr || result.stdout).trim() || `exit code ${result.exitCode}`}`]);
    this.name = 'StepFailed';
  }
}

export interface ApplyHooks {
  onStep?(index: number, total: number, description: string): void;
}

/** Journals each step before running it; stops at the first failure (the caller tears down). */
export async function applySteps(steps: Step[], journal: Journal, hooks: ApplyHooks = {}): Promise<void> {
  const topology = steps.filter((s) => s.kind !== 'lb-load');
  for (const [i, step] of topology.entries()) {
    const description = describeStep(step);
    hooks.onStep?.(i + 1, topology.length, description);
    const cmds = stepCommands(step);
    let saved: string | undefined;
    if (cmds.save) {
      const r = await runCommand(cmds.save.argv, { netns: cmds.save.netns, reject: false });
      if (r.failed) throw new StepFailed(description, r);
      saved = r.stdout;
    }
    const seq = journal.intent(description, cmds.undo(saved));
    for (const c of cmds.run) {
      const r = await runCommand(c.argv, { netns: c.netns, reject: false });
      if (r.failed) {
        journal.settle(seq, 'failed');
        throw new StepFailed(description, r);
      }
    }
    journal.settle(seq, 'done');
    if (Number(process.env.ZONLAB_PAUSE_AFTER_STEP) === i + 1) await pauseForFaultInjection(i + 1);
  }
}

/**
 * The fault-injection tests' hook: stop after step N and say so, so that a test can deliver a
 * signal at exactly that point. SIGINT or SIGTERM ends the pause as an interruption.
 */
export async function pauseForFaultInjection(step: number): Promise<void> {
  process.stderr.write(`zonlab: paused after step ${step} (ZONLAB_PAUSE_AFTER_STEP)\n`);
  const keepAlive = setInterval(() => {}, 1 << 30);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  clearInterval(keepAlive);
  throw new UserError(`interrupted by ${signal} after step ${step}`, ExitCode.interrupted);
}
