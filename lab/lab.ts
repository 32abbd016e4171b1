import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { Driver, LoadedBalancer } from '../src/drivers/driver.js';
import { ExitCode, UserError } from '../src/errors.js';
import { bpfDir, stateDir } from '../src/paths.js';
import { planScenario } from '../src/plan/plan.js';
import type { Step } from '../src/plan/steps.js';
import type { Command } from './step-commands.js';
import type { Scenario } from '../src/scenario/types.js';
import { applySteps, pauseForFaultInjection, type ApplyHooks } from './apply.js';
import { hostJournalFile, hostPreflight } from './host-state.js';
import { Journal } from './journal.js';
import { isAlive, listLabs } from './registry.js';
import { runCommand } from './run-command.js';
import { iprouteBpffs } from './sandbox.js';
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
  log(line: string): void;
}

export const MARKER_PREFIX = 'zonlab:';

/**
 * A lab that is up: its topology applied and its load balancer loaded. `stop()` (or `await using`)
 * takes it down; a lab that failed to start has already taken down what it made.
 */
export class StartedLab implements AsyncDisposable {
  private readonly cleanups: Cleanup[] = [];
  private stopped?: Promise<TeardownReport>;

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
      rmSync(this.workDir, { recursive: true, force: true });
      if (report.failures.length === 0 && this.journal.file) unlinkSync(this.journal.file);
      return report;
    })();
    return this.stopped;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

export async function startLab(o: LabOptions): Promise<StartedLab> {
  const marker = o.mode === 'host' ? `${MARKER_PREFIX}${o.runId}:${o.scenario.name}` : undefined;
  const steps = planScenario(o.scenario, { kernel: o.kernel, driver: o.driver.name, marker, bpfDir });
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
  const workDir = path.join(stateDir(), 'work', o.runId);
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const lab = new StartedLab(o.scenario, o.mode, o.runId, steps, journal, workDir, undefined);
  try {
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
 * A --host journal is the lab's lock: a live run holds it ("in use by run …"); a lab left up on
 * purpose (`zonlab up --host`) is named with how to remove it; one whose run was killed is stale
 * and is torn down from its journal before this run goes on.
 */
async function claimHostLab(name: string, log: (line: string) => void): Promise<void> {
  const file = hostJournalFile(name);
  if (!existsSync(file)) return;
  const old = Journal.read(file);
  const { runId, pid, started } = old.header;
  if (isAlive(pid) && pid !== process.pid) {
    throw new UserError(`${name} is in use by run ${runId} (pid ${pid}, started ${started})`, 2, ['wait for it to finish; zonlab status shows what is up']);
  }
  if (listLabs().some((l) => l.runId === runId && l.command === 'up')) {
    throw new UserError(`${name} is up on this machine (zonlab up --host, run ${runId})`, 2, [`remove it with: zonlab down ${name} --host`]);
  }
  log(`reclaiming ${name}: run ${runId} (pid ${pid}) was killed and left its lab; tearing it down from its journal`);
  const report = await teardown(old);
  if (report.failures.length) throw new UserError(`could not reclaim the lab run ${runId} left`, 70, report.failures);
  unlinkSync(file);
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
