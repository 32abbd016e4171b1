import { performance } from 'node:perf_hooks';
import { stopAllBackground } from '../../lab/run-command.js';
import { onSignals } from '../../lab/signals.js';
import { runCheck } from '../checks/index.js';
import { startProof } from '../proof/carried.js';
import type { CheckOutcome } from '../checks/outcome.js';
import type { Driver, LoadedBalancer } from '../drivers/driver.js';
import { asUserError, ExitCode, isSignalExit } from '../errors.js';
import { hostFacts, toolVersions } from '../host-facts.js';
import type { LabPlan } from '../plan/plan.js';
import { startScenarioLab, type ScenarioLab } from './start-lab.js';
import type { RunRecord, RunStatus } from '../results/record.js';
import { writeRecord } from '../results/store.js';
import { isSampled, type CheckSpec, type Scenario } from '../scenario/types.js';
import { eventApplier, eventsOf, scheduleEvents, type EventRecord } from '../events/schedule.js';
import { zonlabCommit, zonlabVersion } from '../version.js';
import { readOffloads } from './offloads.js';
import { flattenOffloads } from '../stats/fingerprint.js';
import { summarize } from '../stats/summary.js';
import { startCostSampling, type CostSampler } from '../bpfstats/sampler.js';
import { measurementSamples, Sampling, type RepeatSpec } from './sampling.js';

export interface RunHooks {
  progress(line: string): void;
  checkDone(outcome: CheckOutcome): void;
  /** Called with the lab up and the checks done when --keep holds it; resolves when to tear down. */
  hold?(lab: ScenarioLab): Promise<void>;
}

export interface RunOutcome {
  record: RunRecord;
  file?: string;
}

/**
 * validate → build → load → checks → record → teardown, in the current (sandbox or host)
 * namespace. The first SIGINT/SIGTERM stops the servers and clients and goes to teardown.
 */
export interface RunOptions {
  keep?: boolean;
  write?: boolean;
  /** Throughput checks run this many times on the same live lab (default: the scenario's), or until the verdict is clear. */
  repeat?: RepeatSpec;
  /** One uncounted run of each throughput check first. */
  warmup?: boolean;
  /** For --repeat auto: the threshold, and check → measurement → the baseline's samples. */
  maxDrop?: number;
  reference?: Record<string, Record<string, number[]>>;
  /** The order of (check, repetition): default every check in turn, throughput ones as --repeat says (a side of `zonlab ab`: rounds its parent asks for). */
  schedule?: (s: Scenario) => Schedule;
}

/** One check to run next; a throughput check's repetition (0: warm-up) goes into its outcome. */
export interface Step {
  check: CheckSpec;
  repetition?: number;
  /** Shown after the check's name in the progress line (" 2/5", " warm-up"). */
  label: string;
}

/** What runs and in which order, told each outcome as it comes; what the record keeps of it. */
export interface Schedule {
  steps(): Iterable<Step> | AsyncIterable<Step>;
  done(check: string, outcome: CheckOutcome): void;
  summary(): RunRecord['repeat'];
}

/** Today's order: each check of the scenario in turn, a throughput check as often as Sampling says. */
export function samplingSchedule(
  s: Scenario,
  o: Pick<RunOptions, 'repeat' | 'warmup' | 'maxDrop' | 'reference'>,
): Schedule {
  const sampling = new Sampling(
    {
      repeat: o.repeat ?? s.repeat,
      warmup: Boolean(o.warmup),
      maxDrop: o.maxDrop ?? s.maxDrop ?? 0.1,
      reference: o.reference,
    },
    s.checks.filter(isSampled).length,
  );
  return {
    *steps() {
      for (const check of s.checks) {
        if (!isSampled(check)) yield { check, label: '' };
        else
          for (const repetition of sampling.repetitions(check.name))
            yield { check, repetition, label: sampling.label(repetition) };
      }
    },
    done: (check, outcome) => sampling.done(check, outcome),
    summary: () => sampling.summary(),
  };
}

export async function runScenario(
  plan: LabPlan,
  driver: Driver,
  hooks: RunHooks,
  opts: RunOptions = {},
): Promise<RunOutcome> {
  const { scenario: s, mode } = plan;
  const schedule = opts.schedule?.(s) ?? samplingSchedule(s, opts);
  const time = new Date().toISOString();
  const t0 = performance.now();
  let interrupted = false;
  const onSignal = (sig: string) => {
    if (interrupted) return hooks.progress(`${sig} again: teardown is under way, please wait`);
    interrupted = true;
    hooks.progress(`${sig}: stopping the checks and tearing down`);
    void stopAllBackground();
  };
  const releaseSignals = onSignals(['SIGINT', 'SIGTERM'], onSignal);

  const checks: CheckOutcome[] = [];
  const events: EventRecord[] = [];
  let lab: ScenarioLab | undefined;
  let status: RunStatus = 'passed';
  let error: string | undefined;
  let offloads: RunRecord['offloads'] = {};
  let counters: Record<string, number> | undefined;
  let teardownFailures: string[] = [];
  let cost: CostSampler | undefined;
  try {
    lab = await startScenarioLab(plan, driver, {
      log: hooks.progress,
      keepOnFailure: opts.keep,
      onStep: (i, n, what) => hooks.progress(`[${i}/${n}] ${what}`),
    });
    offloads = await readOffloads(s);
    if (s.checks.some(isSampled)) {
      await lab.balancer?.beforeThroughput?.();
      cost = await startCostSampling(s, hooks.progress);
    }
    const applyEvent = eventApplier(s.lb.config, s.events, lab.balancer?.apply?.bind(lab.balancer));
    for await (const { check, repetition, label } of schedule.steps()) {
      if (interrupted) break;
      const sampled = isSampled(check);
      hooks.progress(`check ${check.name} (${check.kind})${label}…`);
      const balancer = lab.balancer;
      const run = async () => {
        const r = await checkWithEvents(check, s, balancer, applyEvent, hooks.progress, checks);
        events.push(...r.applied);
        return r.outcome;
      };
      const measured = sampled
        ? { ...(await cost!.around(check.name, repetition ?? 1, run)), repetition: repetition ?? 1 }
        : await run();
      // a check the interrupt cut short measured part of a run: never a pass, never a sample
      const outcome = interrupted
        ? { ...measured, status: 'failed' as const, summary: `interrupted (${measured.summary})`, error: 'interrupted' }
        : measured;
      schedule.done(check.name, outcome);
      checks.push(outcome);
      hooks.checkDone(outcome);
    }
    cost?.stop();
    counters = await lab.balancer?.counters?.().catch(() => undefined);
    status = interrupted ? 'interrupted' : checks.every((c) => c.status === 'passed') ? 'passed' : 'failed';
    if (opts.keep && hooks.hold && !interrupted) await hooks.hold(lab);
  } catch (err) {
    const user = asUserError(err);
    // refused before anything was made (in use, bad input, a missing requirement): no run to record
    if (!lab && user && (user.exitCode === ExitCode.badInput || user.exitCode === ExitCode.skipped)) throw user;
    const partial = (err as { partialLab?: ScenarioLab }).partialLab;
    if (partial) {
      lab = partial;
      hooks.progress(`--keep: the lab is left as the failed step left it`);
      if (hooks.hold) await hooks.hold(partial);
    }
    status = interrupted || (user && isSignalExit(user.exitCode)) ? 'interrupted' : 'error';
    error = user ? [user.message, ...user.details].join('\n') : ((err as Error).stack ?? String(err));
    teardownFailures = (err as { teardownFailures?: string[] }).teardownFailures ?? [];
    if (!user) throw err;
  } finally {
    cost?.stop();
    if (lab && opts.keep && mode === 'host') lab.leaveUp();
    else if (lab) {
      hooks.progress('tearing down');
      teardownFailures = (await lab.stop()).failures;
    }
    releaseSignals();
  }

  const record = await runRecord({
    plan,
    driver,
    driverVersion: lab?.balancer?.version,
    time,
    durationMs: Math.round(performance.now() - t0),
    offloads,
    status,
    error,
    checks,
    repeat: schedule.summary(),
    counters,
    lbCost: cost?.record(),
    events,
    teardownFailures,
  });
  const file = opts.write === false ? undefined : writeRecord(record);
  return { record, file };
}

/** What a run knows at its end, for its record. */
interface RunEnd {
  plan: LabPlan;
  driver: Driver;
  /** The loaded balancer's version, when it loaded. */
  driverVersion?: string;
  time: string;
  durationMs: number;
  offloads: RunRecord['offloads'];
  status: RunStatus;
  error?: string;
  checks: CheckOutcome[];
  repeat: RunRecord['repeat'];
  counters?: Record<string, number>;
  lbCost?: RunRecord['lbCost'];
  events: EventRecord[];
  teardownFailures: string[];
}

/** The run's record: its checks, their samples and statistics, the machine, the tools and the fingerprint. */
async function runRecord(r: RunEnd): Promise<RunRecord> {
  const s = r.plan.scenario;
  const counted = r.checks.filter((c) => c.repetition !== 0);
  const samples = collectSamples(counted);
  const stats = Object.fromEntries(
    Object.entries(samples).map(([c, ms]) => [
      c,
      Object.fromEntries(Object.entries(ms).map(([m, xs]) => [m, summarize(xs)])),
    ]),
  );
  const driverVersion = r.driverVersion ?? (await r.driver.version().catch(() => 'unknown'));
  const host = hostFacts();
  const tools = await toolVersions();
  const record: RunRecord = {
    schema: 1,
    id: r.plan.runId,
    time: r.time,
    durationMs: r.durationMs,
    scenario: { name: s.name, hash: s.hash, files: s.files, params: s.params },
    driver: { name: r.driver.name, version: driverVersion },
    zonlab: { version: zonlabVersion(), commit: zonlabCommit() },
    host,
    mode: r.plan.mode,
    offloads: r.offloads,
    status: r.status,
    error: r.error,
    checks: r.checks,
    measurements: Object.fromEntries(
      Object.entries(stats).map(([c, ms]) => [
        c,
        Object.fromEntries(Object.entries(ms).map(([m, st]) => [m, st.median])),
      ]),
    ),
    samples,
    stats,
    repeat: r.repeat,
    fingerprint: {
      kernel: host.kernel,
      cpuModel: host.cpuModel,
      cpus: host.cpus,
      driver: r.driver.name,
      driverVersion,
      scenarioHash: s.hash,
      offloads: flattenOffloads(r.offloads),
      kernelVersion: host.kernelVersion,
      tools,
    },
    counters: r.counters,
    ...(r.lbCost ? { lbCost: r.lbCost } : {}),
    ...(r.events.length ? { events: r.events } : {}),
    teardown: { failures: r.teardownFailures },
  };
  return record;
}

/**
 * One check with its [[event]]s, proven by the load balancer's evidence: the outcome, and the events
 * as they were applied (a check whose events did not happen did not test what it says: failed).
 */
async function checkWithEvents(
  check: CheckSpec,
  s: Scenario,
  balancer: LoadedBalancer | undefined,
  applyEvent: ReturnType<typeof eventApplier>,
  progress: (line: string) => void,
  earlier: CheckOutcome[],
): Promise<{ outcome: CheckOutcome; applied: EventRecord[] }> {
  const proof = await startProof(check, s, balancer);
  // [[event]]s of this check: a hold starts their clock when its connections open, any other check at once
  const clock = scheduleEvents(eventsOf(s, check.name), applyEvent, progress);
  if (check.kind !== 'hold') clock.start();
  const outcome = await runCheck(check, { onProgress: progress, earlier, onStarted: () => clock.start() });
  const applied = await clock.finish();
  if (!applied.length) return { outcome: await proof.settle(outcome), applied };
  const missed = applied.filter((e) => !e.applied);
  const withEvents = { ...outcome, evidence: { ...outcome.evidence, events: applied } };
  if (!missed.length) return { outcome: await proof.settle(withEvents), applied };
  const why = `event ${missed[0]!.action} ${missed[0]!.result}`;
  // the check's own failure first: it is usually why the events never came (nothing to hold)
  const error = outcome.status === 'failed' ? `${outcome.error ?? outcome.summary}; ${why}` : why;
  const failed: CheckOutcome = {
    ...withEvents,
    status: 'failed',
    summary: outcome.status === 'failed' ? error : `${error} (${outcome.summary})`,
    error,
  };
  return { outcome: await proof.settle(failed), applied };
}

/** check → measurement → values, over every counted outcome that passed. */
export function collectSamples(outcomes: CheckOutcome[]): Record<string, Record<string, number[]>> {
  const names = [...new Set(outcomes.map((o) => o.name))];
  return Object.fromEntries(
    names
      .map((n) => [n, measurementSamples(outcomes.filter((o) => o.name === n))] as const)
      .filter(([, ms]) => Object.keys(ms).length),
  );
}
