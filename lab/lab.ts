import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { LabError } from './errors.js';
import { describeStep, type Step } from './steps.js';
import type { Command } from './step-commands.js';
import type { Undo } from './undo-intents.js';
import { applySteps, pauseForFaultInjection, type ApplyHooks } from './apply.js';
import { hostJournalFile, hostLabOf, hostPreflight, inUseError, tearDownHostLab } from './host-state.js';
import { Journal } from './journal.js';
import { registerLab, unregisterLab, type LabEntry } from './registry.js';
import { runCommand } from './run-command.js';
import { iprouteBpffs } from './sandbox.js';
import { listDir, removeWorkDir, workDirOf } from './state-files.js';
import { teardown, type Cleanup, type TeardownReport } from './teardown.js';

export type LabMode = 'sandbox' | 'host';

/** What the plan's lb-load step loads: its crash undo is journalled first, and it is unloaded first at teardown. */
export interface Loader<B> {
  /** As progress and the journal name it: "embedded". */
  what: string;
  crashUndo: Undo[];
  load(): Promise<B>;
  unload(loaded: B): Promise<void>;
}

export interface LabOptions<B> extends ApplyHooks {
  /** The lab's name (its scenario's): its journal, lock and `status` line go by it. */
  name: string;
  mode: LabMode;
  runId: string;
  /** The plan, as computed once by the caller. */
  steps: Step[];
  /** What loads into it, as `status` shows it. */
  driver: string;
  /** A host lab mounts a bpffs of its own when an XDP helper or the loader pins objects. */
  bpffs?: boolean;
  /** Given the run's work directory, what the lb-load step loads. */
  loader?(workDir: string): Loader<B>;
  /** --keep: a lab whose build failed stays as it is for a person to look at (error.partialLab). */
  keepOnFailure?: boolean;
  /** What brings the lab up, as `status` shows it (default: run). */
  command?: 'run' | 'up';
  log(line: string): void;
}

/** A lab that is up: its steps applied, its loader's load loaded. `stop()` (or `await using`) takes it down; a failed start has already. */
export class StartedLab<B = unknown> implements AsyncDisposable {
  private readonly cleanups: Cleanup[] = [];
  private stopped?: Promise<TeardownReport>;
  /** A host lab's registry entry, while its process runs it. */
  registration?: LabEntry;

  /** What the loader loaded, once it has. */
  balancer?: B;

  constructor(
    readonly name: string,
    readonly mode: LabMode,
    readonly runId: string,
    readonly steps: Step[],
    readonly journal: Journal,
    readonly workDir: string,
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

export async function startLab<B>(o: LabOptions<B>): Promise<StartedLab<B>> {
  const steps = o.steps;
  const namespaces = steps.flatMap((st) => (st.kind === 'netns-add' ? [st.netns] : []));
  if (o.mode === 'host') {
    await claimHostLab(o.name, o.log);
    await hostPreflight(
      o.name,
      namespaces,
      steps.flatMap((st) =>
        st.kind === 'veth-add' ? [st.a, st.b].filter((e) => e.netns === undefined).map((e) => e.name) : [],
      ),
    );
  }
  let journal: Journal;
  try {
    journal = Journal.create(
      { runId: o.runId, scenario: o.name },
      o.mode === 'host' ? hostJournalFile(o.name) : undefined,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new LabError(`${o.name} is in use by another run that started at the same moment`, 'refused', [
        'try again',
      ]);
    }
    throw err;
  }
  const workDir = workDirOf(o.runId);
  const lab = new StartedLab<B>(o.name, o.mode, o.runId, steps, journal, workDir);
  if (o.mode === 'host') {
    // registered while its process runs it: status lists it, and gc and down see it is in use
    lab.registration = {
      scenario: o.name,
      runId: o.runId,
      mode: 'host',
      command: o.command ?? 'run',
      started: journal.header.started,
      driver: o.driver,
      pid: process.pid,
      pidStart: journal.header.pidStart,
      namespaces,
    };
    registerLab(lab.registration);
  }
  try {
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
    if (o.mode === 'host' && namespaces.length) journalNetnsMount(journal);
    if (o.mode === 'host' && (steps.some((st) => st.kind === 'xdp-helper') || o.bpffs)) await hostBpffs(journal);
    await applySteps(await withReservedIndexes(steps, journal, o.runId), journal, o);
    if (steps.some((s) => s.kind === 'lb-load') && o.loader) await load(lab, o.loader(workDir), o);
    return lab;
  } catch (err) {
    if (o.keepOnFailure) {
      (err as Error & { partialLab?: StartedLab<B> }).partialLab = lab;
      throw err;
    }
    const report = await lab.stop();
    if (report.failures.length && err instanceof Error) {
      (err as Error & { teardownFailures?: string[] }).teardownFailures = report.failures;
    }
    throw err;
  }
}

/** The plan's last step: journalled before it runs, so a killed run's loader is undone too. */
async function load<B>(lab: StartedLab<B>, loader: Loader<B>, o: ApplyHooks): Promise<void> {
  const total = lab.steps.length;
  o.onStep?.(total, total, `load the load balancer (${loader.what})`);
  const seq = lab.journal.intent(`load ${loader.what}`, loader.crashUndo);
  const loaded = await loader.load();
  lab.journal.settle(seq, 'done');
  lab.balancer = loaded;
  lab.addCleanup({ what: `unload ${loader.what}`, run: () => loader.unload(loaded), journalSeq: seq });
  if (Number(process.env.ZONLAB_PAUSE_AFTER_STEP) === total) await pauseForFaultInjection(total);
}

/** A --host journal is the lab's lock: a live run holds it, a lab left up is named, a killed run's is torn down first. */
async function claimHostLab(name: string, log: (line: string) => void): Promise<void> {
  const lab = hostLabOf(name);
  if (!lab) return;
  if (lab.state === 'running') throw inUseError(lab);
  if (lab.state === 'up') {
    throw new LabError(`${name} is up on this machine (left up by run ${lab.header.runId})`, 'refused', [
      `remove it with: zonlab down ${name} --host`,
    ]);
  }
  if (lab.state === 'stale')
    log(
      `reclaiming ${name}: run ${lab.header.runId} (pid ${lab.header.pid}) was killed and left its lab; tearing it down from its journal`,
    );
  const report = await tearDownHostLab(lab, (line) => log(`zonlab: ${line}`));
  for (const p of report.ended) log(`ended ${p}`);
  if (report.failures.length)
    throw new LabError(
      `could not reclaim the lab ${lab.state === 'stale' ? `run ${lab.header.runId} left` : `of ${name}`}`,
      'teardown-failed',
      report.failures,
    );
}

/**
 * The plan's ifindex-reserve step: indexes chosen and held for the lab's life, then the links it
 * names are made with them. Journalled once held: a crash before that leaves a reservation whose
 * holder died, which the next choice reclaims.
 */
async function withReservedIndexes(steps: Step[], journal: Journal, runId: string): Promise<Step[]> {
  const reserve = steps.find((s) => s.kind === 'ifindex-reserve');
  if (reserve?.kind !== 'ifindex-reserve') return steps;
  const [{ reserveIfindexes }, { xdpLinks }] = await Promise.all([
    import('./ifindex-reservations.js'),
    import('./xdp-links.js'),
  ]);
  const { indexes, files } = await reserveIfindexes({
    runId,
    interfaces: reserve.interfaces,
    linkIndexes: () => xdpLinks().map((l) => l.ifindex),
    inUse: namespaceIndexes,
  });
  journal.settle(
    journal.intent(
      `${describeStep(reserve)}: ${Object.entries(indexes)
        .map(([i, n]) => `${i} ${n}`)
        .join(', ')}`,
      [{ kind: 'ifindex-release', runId, files }],
    ),
    'done',
  );
  const at = <E extends { netns?: string; name: string }>(e: E) =>
    e.netns === undefined && indexes[e.name] !== undefined ? { ...e, index: indexes[e.name] } : e;
  return steps.map((s) => {
    if (s.kind === 'veth-add') return { ...s, a: at(s.a), b: at(s.b) };
    if (s.kind === 'device-add' && s.device.netns === undefined && indexes[s.device.name] !== undefined)
      return { ...s, index: indexes[s.device.name] };
    return s;
  });
}

/** The interface indexes of this process's network namespace (the lab's default one). */
function namespaceIndexes(): number[] {
  return listDir('/sys/class/net')
    .map((n) => {
      try {
        return Number(readFileSync(`/sys/class/net/${n}/ifindex`, 'utf8'));
      } catch {
        return NaN;
      }
    })
    .filter(Number.isInteger);
}

const NETNS_DIR = '/run/netns';

/** The first `ip netns add` leaves /run/netns a mount for good: the lab that makes it journals its undo, so the machine is left as it was. */
function journalNetnsMount(journal: Journal): void {
  if (isMountPoint(NETNS_DIR)) return;
  const undo: Command[] = [{ argv: ['umount', NETNS_DIR], keepIfBusy: true }];
  if (!existsSync(NETNS_DIR)) undo.push({ argv: ['rmdir', NETNS_DIR], keepIfBusy: true });
  journal.settle(journal.intent(`${NETNS_DIR} as a mount point for iproute2's namespaces`, undo), 'done');
}

function isMountPoint(dir: string): boolean {
  // mountinfo's fifth field is the mount point (spaces in it are escaped as \040)
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === dir);
}

/** A bpffs of zonlab's own (never the machine's /sys/fs/bpf) for pins and iproute2 (TC_BPF_MNT), unmounted at teardown. */
async function hostBpffs(journal: Journal): Promise<void> {
  const dir = iprouteBpffs();
  const undo: Command[] = [{ argv: ['umount', '--recursive', '--lazy', dir] }];
  // the directory too, if this lab made it (another host lab's mount keeps it busy)
  if (!existsSync(dir)) undo.push({ argv: ['rmdir', dir], keepIfBusy: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const seq = journal.intent(`bpffs for zonlab's pins and iproute2 at ${dir}`, undo);
  await runCommand(['mount', '-t', 'bpf', 'zonlab-bpf', dir]);
  journal.settle(seq, 'done');
  process.env.TC_BPF_MNT = dir;
}
