import { runCommand, verboseLine, type CommandResult } from './run-command.js';
import { isNetlinkStep, type NetlinkStep } from './netlink/messages.js';
import { describeStep, type Step } from './steps.js';
import { availableParallelism } from 'node:os';
import { LabError } from './errors.js';
import type { Journal } from './journal.js';
import { asIpLine, batchArgv, failedBatchLines } from './batch.js';
import { stepCommands, type Command, type StepCommands } from './step-commands.js';
import { untilSignal } from './signals.js';

/** A step failed: which one, the command, and what the kernel said. */
export class StepFailed extends LabError {
  constructor(
    readonly step: string,
    readonly result: CommandResult,
  ) {
    const cmd = `${result.netns ? `[netns ${result.netns}] ` : ''}${result.argv.join(' ')}`;
    super(`step failed: ${step}`, 'failed', [
      `command: ${cmd}`,
      `said: ${(result.stderr || result.stdout).trim() || `exit code ${result.exitCode}`}`,
    ]);
    this.name = 'StepFailed';
  }
}

export interface ApplyHooks {
  onStep?(index: number, total: number, description: string): void;
}

/** Steps that run together: consecutive `ip` steps of one namespace, or sysctls of one namespace. */
export interface Group {
  kind: 'ip' | 'sysctl' | 'single';
  netns?: string;
  steps: { step: Step; index: number; cmds: StepCommands; description: string }[];
}

export function groupSteps(steps: Step[], pauseAfter?: number): Group[] {
  const groups: Group[] = [];
  steps.forEach((step, index) => {
    const cmds = stepCommands(step);
    const ip = !cmds.save && cmds.run.length === 1 ? asIpLine(cmds.run[0]!) : undefined;
    const kind: Group['kind'] = ip ? 'ip' : step.kind === 'sysctl' ? 'sysctl' : 'single';
    const netns = ip ? ip.netns : step.kind === 'sysctl' ? step.netns : undefined;
    const last = groups[groups.length - 1];
    // a group never spans the fault-injection pause, so the pause falls exactly after its step
    const joinable = last && kind !== 'single' && last.kind === kind && last.netns === netns && pauseAfter !== index;
    const entry = { step, index, cmds, description: describeStep(step) };
    if (joinable) last.steps.push(entry);
    else groups.push({ kind, netns, steps: [entry] });
  });
  return groups;
}

/** At most this many namespaces are configured at once (two per core keeps the cores busy while ip waits on netlink). */
const PARALLEL = Math.max(2, 2 * availableParallelism());

/** Journals each step before it runs; stops at the first failure (the caller tears down). */
export async function applySteps(steps: Step[], journal: Journal, hooks: ApplyHooks = {}): Promise<void> {
  // the load balancer's load and the reservation of indexes are lab.ts's
  const topology = steps.filter((s) => s.kind !== 'lb-load' && s.kind !== 'ifindex-reserve');
  const pauseAfter = Number(process.env.ZONLAB_PAUSE_AFTER_STEP) || undefined;
  const groups = groupSteps(topology, pauseAfter);
  // koffi and the engine load (about 30 ms) while the first `ip` process creates the namespaces
  if (groups.some(isNetlinkGroup)) void netlinkEngine();
  for (const wave of wavesOf(groups, pauseAfter)) {
    // the plan's count: the load balancer's load (lab.ts) is its last step
    const netlinkUsed = wave.some(isNetlinkGroup) && Boolean(await netlinkEngine());
    const line = waveLine(wave, netlinkUsed);
    hooks.onStep?.(line.index, steps.length, line.description);
    if (wave.length === 1) await runGroup(wave[0]!, journal);
    else await runConcurrently(wave, journal);
    const lastIndex = wave[wave.length - 1]!.steps[wave[wave.length - 1]!.steps.length - 1]!.index + 1;
    if (pauseAfter === lastIndex) await pauseForFaultInjection(lastIndex);
  }
}

/** The groups in the order they run: batches of distinct named namespaces do not depend on each other and run together. */
export function wavesOf(groups: Group[], pauseAfter?: number): Group[][] {
  const waves: Group[][] = [];
  for (let k = 0; k < groups.length; k += waves[waves.length - 1]!.length)
    waves.push(pauseAfter ? [groups[k]!] : independentWave(groups, k));
  return waves;
}

/** What progress says of a wave, in the plan's words: its first step, and how the rest run (netlink requests or processes). */
export function waveLine(wave: Group[], netlinkUsed: boolean): { index: number; description: string } {
  const first = wave[0]!.steps[0]!;
  const count = wave.reduce((n, g) => n + g.steps.length, 0);
  const byNetlink = netlinkUsed ? wave.filter(isNetlinkGroup).length : 0;
  const processes = wave.length - byNetlink;
  let what = '';
  if (count > 1 && processes === 0)
    what = ` (+${count - 1} more: netlink requests in ${wave.length > 1 ? `${wave.length} namespaces` : wave[0]!.netns}, no process)`;
  else if (wave.length > 1)
    what = ` (+${count - 1} more: ${wave.length} namespaces, ${byNetlink ? `${byNetlink} by netlink requests, ` : ''}${Math.min(processes, PARALLEL)} processes at a time)`;
  else if (count > 1) what = ` (+${count - 1} more, one ${wave[0]!.kind} process)`;
  return { index: first.index + 1, description: `${first.description}${what}` };
}

/** From k: consecutive batched groups, each of a different named namespace. */
function independentWave(groups: Group[], k: number): Group[] {
  const wave: Group[] = [];
  const seen = new Set<string>();
  for (let i = k; i < groups.length; i++) {
    const g = groups[i]!;
    if (g.kind === 'single' || g.netns === undefined || seen.has(`${g.kind}:${g.netns}`)) break;
    if (wave.length && wave[0]!.kind !== g.kind) break;
    seen.add(`${g.kind}:${g.netns}`);
    wave.push(g);
  }
  return wave.length ? wave : [groups[k]!];
}

/** A lab namespace's links, addresses and routes: what the netlink engine does without a process. */
export function isNetlinkGroup(g: Group): boolean {
  return g.kind === 'ip' && g.netns !== undefined && g.steps.every((s) => isNetlinkStep(s.step));
}

/** ZONLAB_ENGINE=ip asks for `ip -n NS -batch` processes instead of netlink. */
export function netlinkWanted(): boolean {
  return process.env.ZONLAB_ENGINE !== 'ip';
}

type NetlinkEngine = typeof import('./netlink/run.js');
let netlink: Promise<NetlinkEngine | undefined> | undefined;

/** Lab namespaces are configured over netlink from this process (cheaper than one `ip` process); ZONLAB_ENGINE=ip or no koffi: `ip -batch`. */
function netlinkEngine(): Promise<NetlinkEngine | undefined> {
  netlink ??= !netlinkWanted()
    ? Promise.resolve(undefined)
    : import('./netlink/run.js').catch((err: Error) => {
        verboseLine(`netlink engine unavailable (${err.message.split('\n')[0]}): using ip -batch`);
        return undefined;
      });
  return netlink;
}

async function runGroup(g: Group, journal: Journal, seqs?: number[]): Promise<void> {
  const first = g.steps[0]!;
  const engine = isNetlinkGroup(g) ? await netlinkEngine() : undefined;
  if (engine) runNetlinkGroup(engine, g, journal, seqs);
  else if (g.kind === 'ip' && (g.steps.length > 1 || seqs)) await runIpBatch(g, journal, seqs);
  else if (g.kind === 'sysctl') await runSysctls(g, journal);
  else await runSingle(first.description, first.cmds, journal);
}

async function runConcurrently(wave: Group[], journal: Journal): Promise<void> {
  // one durable journal write for every batch of the wave, before any of them runs
  const preJournalled = new Map<Group, number[]>();
  const ipGroups = wave.filter((g) => g.kind === 'ip');
  const seqs = journal.intentMany(ipGroups.flatMap(intentsOf));
  let at = 0;
  for (const g of ipGroups) {
    preJournalled.set(g, seqs.slice(at, at + g.steps.length));
    at += g.steps.length;
  }
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < wave.length && errors.length === 0) {
      const g = wave[next++]!;
      try {
        await runGroup(g, journal, preJournalled.get(g));
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, wave.length) }, worker));
  // batches that never started made nothing
  for (const g of wave.slice(next)) {
    const s = preJournalled.get(g);
    if (s) journal.settleMany(s, 'failed');
  }
  if (errors.length) throw errors[0];
}

async function runSingle(description: string, cmds: StepCommands, journal: Journal): Promise<void> {
  let saved: string | undefined;
  let run = cmds.run;
  if (cmds.save) {
    const r = await runCommand(cmds.save.argv, { netns: cmds.save.netns, reject: false });
    if (r.failed) throw new StepFailed(description, r);
    saved = r.stdout;
    try {
      run = cmds.runWith?.(saved) ?? run;
    } catch (err) {
      throw new StepFailed(description, { ...r, stderr: (err as Error).message });
    }
  }
  const seq = journal.intent(description, cmds.undo(saved), cmds.waitGone);
  for (const c of run) {
    const r = await runCommand(c.argv, { netns: c.netns, reject: false });
    if (r.failed) {
      journal.settle(seq, 'failed');
      throw new StepFailed(description, r);
    }
  }
  journal.settle(seq, 'done');
}

/** A batch's journal entries: each step with its undo (batched steps save nothing first). */
function intentsOf(g: Group): { step: string; undo: Command[]; waitGone?: string[] }[] {
  return g.steps.map((s) => ({ step: s.description, undo: s.cmds.undo(undefined), waitGone: s.cmds.waitGone }));
}

function runNetlinkGroup(engine: NetlinkEngine, g: Group, journal: Journal, journalled?: number[]): void {
  const seqs = journalled ?? journal.intentMany(intentsOf(g));
  const out = engine.runNetlinkSteps(
    g.netns!,
    g.steps.map((s) => s.step as NetlinkStep),
  );
  journal.settleMany(seqs.slice(0, out.done), 'done');
  if (!out.failure) return;
  // a step whose outcome is unknown stays an intent: teardown undoes it all the same
  journal.settleMany(seqs.slice(out.done + (out.failure.unknown ? 1 : 0)), 'failed');
  throw new StepFailed(g.steps[out.failure.at]!.description, out.failure.result);
}

async function runIpBatch(g: Group, journal: Journal, journalled?: number[]): Promise<void> {
  const lines = g.steps.map((s) => asIpLine(s.cmds.run[0]!)!.line);
  const seqs = journalled ?? journal.intentMany(intentsOf(g));
  const r = await runCommand(batchArgv(g.netns), { input: `${lines.join('\n')}\n`, reject: false });
  if (!r.failed) return journal.settleMany(seqs, 'done');
  // iproute2 stops at the first failing line: the ones before it ran, the rest did not; with no
  // such line (killed, timed out) any of them may have run: they stay intents, undone at teardown
  const failed = failedBatchLines(r.stderr)[0];
  if (!failed) throw new StepFailed(g.steps[0]!.description, { ...r, argv: batchArgv(g.netns) });
  const at = Math.min(Math.max(failed.line - 1, 0), g.steps.length - 1);
  journal.settleMany(seqs.slice(0, at), 'done');
  journal.settleMany(seqs.slice(at), 'failed');
  const step = g.steps[at]!;
  throw new StepFailed(step.description, {
    ...r,
    argv: step.cmds.run[0]!.argv,
    netns: undefined,
    stderr: failed.message || r.stderr,
  });
}

/** sysctl reads and writes many keys per process; the old values come back one a line. */
async function runSysctls(g: Group, journal: Journal): Promise<void> {
  const keyOf = (s: Group['steps'][number]) => (s.step as Extract<Step, { kind: 'sysctl' }>).key;
  const needSave = g.steps.filter((s) => s.cmds.save);
  const saved = new Map<string, string>();
  if (needSave.length) {
    const r = await runCommand(['sysctl', '-n', ...needSave.map(keyOf)], { netns: g.netns, reject: false });
    if (r.failed) throw new StepFailed(needSave[0]!.description, r);
    r.stdout
      .split('\n')
      .slice(0, needSave.length)
      .forEach((v, i) => saved.set(keyOf(needSave[i]!), v));
  }
  const seqs = journal.intentMany(
    g.steps.map((s) => ({ step: s.description, undo: s.cmds.undo(saved.get(keyOf(s))) })),
  );
  const assignments = g.steps.map((s) => s.step as Extract<Step, { kind: 'sysctl' }>).map((s) => `${s.key}=${s.value}`);
  const r = await runCommand(['sysctl', '-q', '-w', ...assignments], { netns: g.netns, reject: false });
  if (!r.failed) return journal.settleMany(seqs, 'done');
  // sysctl goes on past a bad key: only the keys it complains about failed
  const bad = g.steps
    .map((s, i) => (r.stderr.includes(keyOf(s).replace(/\./g, '/')) || r.stderr.includes(keyOf(s)) ? i : -1))
    .filter((i) => i >= 0);
  const failedIdx = bad.length ? bad : [0];
  journal.settleMany(
    seqs.filter((_, i) => !failedIdx.includes(i)),
    'done',
  );
  journal.settleMany(
    seqs.filter((_, i) => failedIdx.includes(i)),
    'failed',
  );
  const step = g.steps[failedIdx[0]!]!;
  throw new StepFailed(step.description, {
    ...r,
    argv: ['sysctl', '-q', '-w', `${keyOf(step)}=${(step.step as Extract<Step, { kind: 'sysctl' }>).value}`],
  });
}

/**
 * The fault-injection tests' hook: stop after step N and say so, so that a test can deliver a
 * signal at exactly that point. SIGINT or SIGTERM ends the pause as an interruption.
 */
export async function pauseForFaultInjection(step: number): Promise<void> {
  // the handlers are in place before the line that tells the test to signal
  const signalled = untilSignal(['SIGINT', 'SIGTERM']);
  process.stderr.write(`zonlab: paused after step ${step} (ZONLAB_PAUSE_AFTER_STEP)\n`);
  const signal = await signalled;
  throw new LabError(`interrupted by ${signal} after step ${step}`, { signal });
}
