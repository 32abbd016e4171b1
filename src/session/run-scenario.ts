import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startLab, type LabMode, type StartedLab } from '../../lab/lab.js';
import { stopAllBackground } from '../../lab/run-command.js';
import { runCheck } from '../checks/index.js';
import type { CheckOutcome } from '../checks/outcome.js';
import type { Driver } from '../drivers/driver.js';
import { UserError } from '../errors.js';
import { hostFacts } from '../host-facts.js';
import type { RunRecord, RunStatus } from '../results/record.js';
import { writeRecord } from '../results/store.js';
import { isThroughput, type Scenario } from '../scenario/types.js';
import { zonlabCommit, zonlabVersion } from '../version.js';
import { readOffloads } from './offloads.js';

export function newRunId(): string {
  return process.env.ZONLAB_RUN_ID && /^[a-z0-9]{4,16}$/.test(process.env.ZONLAB_RUN_ID) ? process.env.ZONLAB_RUN_ID : randomBytes(4).toString('hex');
}

export interface RunHooks {
  progress(line: string): void;
  checkDone(outcome: CheckOutcome): void;
  /** Called with the lab up and the checks done when --keep holds it; resolves when to tear down. */
  hold?(lab: StartedLab): Promise<void>;
}

export interface RunOutcome {
  record: RunRecord;
  file?: string;
}

/**
 * validate → build → load → checks → record → teardown, in the current (sandbox or host)
 * namespace. The first SIGINT/SIGTERM stops the servers and clients and goes to teardown.
 */
export async function runScenario(s: Scenario, driver: Driver, mode: LabMode, hooks: RunHooks, opts: { keep?: boolean; write?: boolean } = {}): Promise<RunOutcome> {
  const runId = newRunId();
  const time = new Date().toISOString();
  const t0 = performance.now();
  let interrupted = false;
  const onSignal = (sig: string) => {
    if (interrupted) return hooks.progress(`${sig} again: teardown is under way, please wait`);
    interrupted = true;
    hooks.progress(`${sig}: stopping the checks and tearing down`);
    void stopAllBackground();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);

  const checks: CheckOutcome[] = [];
  let lab: StartedLab | undefined;
  let status: RunStatus = 'passed';
  let error: string | undefined;
  let offloads: RunRecord['offloads'] = {};
  let counters: Record<string, number> | undefined;
  let teardownFailures: string[] = [];
  try {
    lab = await startLab({
      scenario: s, driver, mode, runId, kernel: hostFacts().kernel, log: hooks.progress,
      onStep: (i, n, what) => hooks.progress(`[${i}/${n}] ${what}`),
    });
    offloads = await readOffloads(s);
    if (s.checks.some(isThroughput)) await lab.balancer?.beforeThroughput?.();
    for (const check of s.checks) {
      if (interrupted) break;
      hooks.progress(`check ${check.name} (${check.kind})…`);
      const outcome = await runCheck(check, { onProgress: hooks.progress });
      checks.push(outcome);
      hooks.checkDone(outcome);
    }
    counters = await lab.balancer?.counters?.().catch(() => undefined);
    status = interrupted ? 'interrupted' : checks.every((c) => c.status === 'passed') ? 'passed' : 'failed';
    if (opts.keep && hooks.hold && !interrupted) await hooks.hold(lab);
  } catch (err) {
    status = interrupted ? 'interrupted' : 'error';
    error = err instanceof UserError ? [err.message, ...err.details].join('\n') : (err as Error).stack ?? String(err);
    teardownFailures = (err as { teardownFailures?: string[] }).teardownFailures ?? [];
    if (!(err instanceof UserError)) throw err;
  } finally {
    if (lab && !(opts.keep && mode === 'host')) {
      hooks.progress('tearing down');
      teardownFailures = (await lab.stop()).failures;
    }
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }

  const record: RunRecord = {
    schema: 1, id: runId, time, durationMs: Math.round(performance.now() - t0),
    scenario: { name: s.name, hash: s.hash, files: s.files, params: s.params },
    driver: { name: driver.name, version: lab?.balancer?.version ?? (await driver.version().catch(() => 'unknown')) },
    zonlab: { version: zonlabVersion(), commit: zonlabCommit() },
    host: hostFacts(), mode, offloads, status, error, checks,
    measurements: Object.fromEntries(checks.filter((c) => c.measurements).map((c) => [c.name, c.measurements!])),
    counters, teardown: { failures: teardownFailures },
  };
  const file = opts.write === false ? undefined : writeRecord(record);
  return { record, file };
}
