import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Driver, DriverName, LoadedBalancer } from '../src/drivers/driver.js';
import { ExitCode, UserError } from './errors.js';
import { bpfDir } from '../src/paths.js';
import { planScenario } from '../src/plan/plan.js';
import type { Step } from './steps.js';
import type { Command } from './step-commands.js';
import type { Scenario } from '../src/scenario/types.js';
import { applySteps, pauseForFaultInjection, type ApplyHooks } from './apply.js';
import { hostJournalFile, hostLabOf, hostPreflight, inUseError, tearDownHostLab } from './host-state.js';
import { Journal } from './journal.js';
import { registerLab, unregisterLab, type LabEntry } from './registry.js';
import { runCommand } from './run-command.js';
import { iprouteBpffs } from './sandbox.js';
import { removeWorkDir, workDirOf } from './state-files.js';
import { teardown, type Cleanup, type TeardownReport } from './teardown.js';

export type LabMode = 'sandbox' | 'host';

export interface LabOptions extends ApplyHooks {
  /** --keep: a lab whose build failed stays as it is for a person to look at (error.partialLab). */
  keepOnFailure?: boolean;
  scenario: Scenario;
  driver: Driver;
  mode: LabMode;
  runId: string;
  kernel: string;
  /** What brings the lab up, as `status` shows it (default: run). */
  command?: 'run' | 'up';
  log(line: string): void;
}

export const MARKER_PREFIX = 'zonlab:';

/** The steps of a lab, exactly as startLab applies them in this mode (host labs carry ownership markers). */
export function labPlan(o: Pick<LabOptions, 'scenario' | 'mode' | 'runId' | 'kernel'> & { driver: DriverName }): Step[] {
  const marker = o.mode === 'host' ? `${MARKER_PREFIX}${o.runId}:${o.scenario.name}` : undefined;
  return planScenario(o.scenario, { kernel: o.kernel, driver: o.driver, marker, bpfDir });
}

/**
 * A lab that is up: its topology applied and its load balancer loaded. `stop()` (or `await using`)
 * takes it down; a lab that failed to start has already taken down what it made.
 */
export class StartedLab implements AsyncDisposable {
  private readonly cleanups: Cleanup[] = [];
  private stopped?: Promise<TeardownReport>;
  /** A host lab's registry entry, while its process runs it. */
  registration?: LabEntry;

  constructor(
    readonly scenario: Scenario,
    readonly mode: LabMode,
    readonly runId: string,
    readonly steps: Step[],
    readonly journal: Journal,
    readonly workDir: string,
    readonly balancer: LoadedBalancer | undefined,
  ) {}

  /** Something to undo at teardown, before the topology goes (servers, clients). */
  defer(what: string, run: () => Promise<void>): void {
    this.cleanups.push({ what, run });
  }

  /** @internal */
  addCleanup(c: Cleanup): void {
    this.cleanups.push(c);
  }

  stop(): Promise<TeardownReport> {
    this.stopped ??= (async () => {
      const report = await teardown(this.journal, this.cleanups);
      removeWorkDir(this.runId);
      if (report.failures.length === 0) {
        this.journal.remove();
        unregisterLab(this.runId);
      }
      return report;
    })();
    return this.stopped;
  }

  /** A host lab that stays up when this process ends (`up --host`, `run --host --keep`): not a killed run's. */
  leaveUp(): void {
    if (this.registration) registerLab({ ...this.registration, leftUp: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

export async function startLab(o: LabOptions): Promise<StartedLab> {
  const steps = labPlan({ ...o, driver: o.driver.name });
  if (o.mode === 'host') {
    await claimHostLab(o.scenario.name, o.log);
    await hostPreflight(o.scenario);
  }
  let journal: Journal;
  try {
    journal = Journal.create({ runId: o.runId, scenario: o.scenario.name }, o.mode === 'host' ? hostJournalFile(o.scenario.name) : undefined);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UserError(`${o.scenario.name} is in use by another run that started at the same moment`, 2, ['try again']);
    }
    throw err;
  }
  const workDir = workDirOf(o.runId);
  const lab = new StartedLab(o.scenario, o.mode, o.runId, steps, journal, workDir, undefined);
  if (o.mode === 'host') {
    // registered while its process runs it: status lists it, and gc and down see it is in use
    lab.registration = { scenario: o.scenario.name, runId: o.runId, mode: 'host', command: o.command ?? 'run', started: journal.header.started, driver: o.driver.name, pid: process.pid, pidStart: journal.header.pidStart, namespaces: o.scenario.namespaces };
    registerLab(lab.registration);
  }
  try {
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
    if (o.mode === 'host' && o.scenario.namespaces.length) journalNetnsMount(journal);
    if (o.mode === 'host' && (steps.some((st) => st.kind === 'xdp-helper') || o.driver.name === 'embedded')) await hostBpffs(journal);
    await applySteps(steps, journal, o);
    const lbStep = steps.find((s) => s.kind === 'lb-load');
    if (lbStep && o.scenario.lb.config) {
      const peers: Record<string, { netns?: string; name: string }> = {};
      for (const v of o.scenario.veths) {
        if (v.a.netns === undefined) peers[v.a.name] = { netns: v.b.netns, name: v.b.name };
        if (v.b.netns === undefined) peers[v.b.name] = { netns: v.a.netns, name: v.a.name };
      }
      const ctx = { config: o.scenario.lb.config, runId: o.runId, workDir, log: o.log, peers };
      o.onStep?.(steps.length, steps.length, `load the load balancer (${o.driver.name})`);
      const seq = journal.intent(`load ${o.driver.name}`, o.driver.crashUndo?.(ctx) ?? []);
      const balancer = await o.driver.load(ctx).catch((err: Error) => {
        // the driver's own failure (zon-lb's ERROR line, a verifier log, an nft syntax error) is the user's to read
        throw err instanceof UserError ? err : new UserError(`the load balancer (${o.driver.name}) failed to load`, ExitCode.checkFailed, err.message.split('\n'));
      });
      journal.settle(seq, 'done');
      (lab as { balancer: LoadedBalancer | undefined }).balancer = balancer;
      lab.addCleanup({ what: `unload ${o.driver.name}`, run: () => balancer.unload(), journalSeq: seq });
      const topologySteps = steps.filter((st) => st.kind !== 'lb-load').length;
      if (Number(process.env.ZONLAB_PAUSE_AFTER_STEP) === topologySteps + 1) await pauseForFaultInjection(topologySteps + 1);
    }
    return lab;
  } catch (err) {
    if (o.keepOnFailure) {
      (err as Error & { partialLab?: StartedLab }).partialLab = lab;
      throw err;
    }
    const report = await lab.stop();
    if (report.failures.length && err instanceof Error) {
      (err as Error & { teardownFailures?: string[] }).teardownFailures = report.failures;
    }
    throw err;
  }
}

/**
 * A --host journal is the lab's lock (lab/host-state.ts): a live run holds it ("in use by run …");
 * a lab left up on purpose is named with how to remove it; one whose run was killed (or whose
 * journal is damaged) is torn down before this run goes on.
 */
async function claimHostLab(name: string, log: (line: string) => void): Promise<void> {
  const lab = hostLabOf(name);
  if (!lab) return;
  if (lab.state === 'running') throw inUseError(lab);
  if (lab.state === 'up') {
    throw new UserError(`${name} is up on this machine (left up by run ${lab.header.runId})`, 2, [`remove it with: zonlab down ${name} --host`]);
  }
  if (lab.state === 'stale') log(`reclaiming ${name}: run ${lab.header.runId} (pid ${lab.header.pid}) was killed and left its lab; tearing it down from its journal`);
  const report = await tearDownHostLab(lab, (line) => log(`zonlab: ${line}`));
  for (const p of report.ended) log(`ended ${p}`);
  if (report.failures.length) throw new UserError(`could not reclaim the lab ${lab.state === 'stale' ? `run ${lab.header.runId} left` : `of ${name}`}`, ExitCode.teardownFailed, report.failures);
}

const NETNS_DIR = '/run/netns';

/**
 * The first `ip netns add` on a machine makes /run/netns a shared bind mount of itself and leaves it
 * there for good. When this lab is the one that will make it, its journal says so first, so that
 * teardown takes the mount back (unless by then others keep namespaces there): the machine is left
 * as it was. iproute2 still makes it, inside the lab's first batch; no process of its own.
 */
function journalNetnsMount(journal: Journal): void {
  if (isMountPoint(NETNS_DIR)) return;
  const undo: Command[] = [{ argv: ['umount', NETNS_DIR], keepIfBusy: true }];
  if (!existsSync(NETNS_DIR)) undo.push({ argv: ['rmdir', NETNS_DIR], keepIfBusy: true });
  journal.settle(journal.intent(`${NETNS_DIR} as a mount point for iproute2's namespaces`, undo), 'done');
}

function isMountPoint(dir: string): boolean {
  // mountinfo's fifth field is the mount point (spaces in it are escaped as \040)
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);
}

/**
 * A bpffs of zonlab's own (never the machine's /sys/fs/bpf) for the embedded driver's pins and for
 * iproute2 (TC_BPF_MNT), unmounted at teardown.
 */
async function hostBpffs(journal: Journal): Promise<void> {
  const dir = iprouteBpffs();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const seq = journal.intent(`bpffs for zonlab's pins and iproute2 at ${dir}`, [{ argv: ['umount', '--recursive', '--lazy', dir] }]);
  await runCommand(['mount', '-t', 'bpf', 'zonlab-bpf', dir]);
  journal.settle(seq, 'done');
  process.env.TC_BPF_MNT = dir;
}
