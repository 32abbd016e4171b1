import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { onSignals, STOP_SIGNALS } from '../../../lab/signals.js';
import { ExitCode, signalExit, worstExit } from '../../errors.js';
import { readJsonCapped } from '../../files.js';
import { hostFacts } from '../../host-facts.js';
import type { RunRecord } from '../../results/record.js';
import { isThroughput, type Scenario } from '../../scenario/types.js';
import { newRunId } from '../run-id.js';
import type { LbSpec } from './lb-spec.js';
import type { AbRecord, AbSideIdentity, AbStatus } from './record.js';
import {
  judgedPairs,
  judgeRounds,
  roundOrder,
  stopAfter,
  worstVerdict,
  type AbPlan,
  type AbStop,
  type Rounds,
  type Side,
} from './rounds.js';
import { startSide, type SideProcess } from './side-process.js';

export interface AbRunOptions {
  plan: AbPlan;
  repeat: number | 'auto';
  /** Options both sides take alike (--set, --results, --scenarios, --verbose). */
  sideArgs: string[];
  progress(line: string): void;
  /** Why the sides stopped, when they did not say (a side's last `zonlab:` line). */
  reasonOf(stderr: string): string | undefined;
}

/**
 * Both sides up at once, each in its own sandbox, each lab built and its load balancer loaded
 * once; then rounds A B, B A, … (one sample of every throughput check a side) until the plan
 * stops; then both tear down and write their run records. SIGINT/SIGTERM/SIGHUP: both sides tear
 * down, the exit code tells the signal.
 */
export async function runAb(s: Scenario, lbs: Record<Side, LbSpec>, o: AbRunOptions): Promise<AbRecord> {
  const id = newRunId();
  const time = new Date().toISOString();
  const t0 = performance.now();
  let signalled: NodeJS.Signals | undefined;
  const labOf = (side: Side) => ({
    scenario: s.name,
    runId: `${id}${side}`,
    command: 'run' as const,
    driver: lbs[side].driver,
    namespaces: s.namespaces,
  });
  const sides: Record<Side, SideProcess> = {
    a: startSide('a', lbs.a, {
      scenario: s.files[0] ?? s.name,
      args: o.sideArgs,
      lab: labOf('a'),
      onLine: (l) => o.progress(`[A] ${l}`),
    }),
    b: startSide('b', lbs.b, {
      scenario: s.files[0] ?? s.name,
      args: o.sideArgs,
      lab: labOf('b'),
      onLine: (l) => o.progress(`[B] ${l}`),
    }),
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (!signalled) o.progress(`${sig}: both sides stop and tear down`);
    signalled ??= sig;
    // SIGHUP goes in as SIGTERM: a side tears down on that
    for (const side of Object.values(sides)) side.signal(sig === 'SIGHUP' ? 'SIGTERM' : sig);
  };
  const releaseSignals = onSignals(STOP_SIGNALS, onSignal);

  const rounds: Rounds = { a: [], b: [] };
  let stoppedBy: AbStop = 'interrupted';
  let status: AbStatus = 'passed';
  let error: string | undefined;
  let sideEnds: Awaited<ReturnType<SideProcess['end']>>[] = [];
  try {
    const ready = await Promise.all([sides.a.ready, sides.b.ready]);
    const failedChecks = ready.flatMap((r, i) =>
      (r?.checks ?? []).filter((c) => c.status !== 'passed').map((c) => `${i ? 'B' : 'A'}: ${c.name}: ${c.summary}`),
    );
    if (ready.some((r) => !r)) {
      status = 'error';
      stoppedBy = 'failed';
    } else if (failedChecks.length) {
      status = 'failed';
      stoppedBy = 'failed';
      error = `checks failed before sampling: ${failedChecks.join('; ')}`;
    } else if (!s.checks.some(isThroughput)) {
      stoppedBy = 'fixed';
    } else {
      const sampling0 = performance.now();
      for (let k = 1; !signalled; k++) {
        const r0 = performance.now();
        for (const side of roundOrder(k)) {
          if (signalled) break;
          const reply = await sides[side].sample(k);
          if (!reply || reply.failed.length) {
            status = signalled ? 'interrupted' : 'failed';
            error = reply
              ? `${side.toUpperCase()} round ${k}: ${reply.failed.map((f) => `${f.name}: ${f.summary}`).join('; ')}`
              : `${side.toUpperCase()} ended in round ${k}`;
            break;
          }
          rounds[side].push(reply.figures);
        }
        if (status !== 'passed' || signalled) {
          stoppedBy = signalled ? 'interrupted' : 'failed';
          break;
        }
        const n = Math.min(rounds.a.length, rounds.b.length);
        const stop = stopAfter(n, o.plan, () => judgeRounds(rounds, o.plan), {
          elapsedMs: performance.now() - sampling0,
          lastRoundMs: performance.now() - r0,
        });
        o.progress(
          `round ${k} (${roundOrder(k).join(' ').toUpperCase()}) took ${((performance.now() - r0) / 1000).toFixed(1)} s${stop ? `; stopping: ${stop}` : ''}`,
        );
        if (stop) {
          stoppedBy = stop;
          break;
        }
      }
    }
  } finally {
    sideEnds = await Promise.all([sides.a.end(), sides.b.end()]);
    releaseSignals();
  }
  if (signalled) status = 'interrupted';
  const identities = (['a', 'b'] as const).map((side, i) => identity(lbs[side], `${id}${side}`, sideEnds[i]!));
  const codes = sideEnds.map((e) => e.exitCode);
  if (status === 'error') {
    // a side that never came up: its own exit code says why (4 a requirement is missing, 2 bad input)
    const skipped =
      codes.every((c) => c === ExitCode.skipped || c === ExitCode.passed) && codes.includes(ExitCode.skipped);
    status = skipped ? 'skipped' : 'error';
    error = (['a', 'b'] as const)
      .map((side, i) =>
        codes[i] !== ExitCode.passed
          ? `${side.toUpperCase()} (${lbs[side].spec}): ${o.reasonOf(sides[side].stderr()) ?? `exit ${codes[i]}`}`
          : '',
      )
      .filter((x) => x)
      .join('; ');
  }
  const pairs = judgedPairs(rounds);
  const verdicts = status === 'passed' ? judgeRounds(rounds, o.plan, pairs) : [];
  const worst = worstVerdict(verdicts);
  const exitCode = signalled
    ? signalExit(signalled)
    : worstExit([
        ...codes.filter((c) => c !== ExitCode.interrupted),
        status === 'failed' ? ExitCode.checkFailed : ExitCode.passed,
        worst === 'regressed' ? ExitCode.regressed : ExitCode.passed,
      ]);
  return {
    schema: 1,
    kind: 'ab',
    id,
    time,
    durationMs: Math.round(performance.now() - t0),
    scenario: { name: s.name, hash: s.hash, params: s.params },
    machine: hostname(),
    host: hostFacts(),
    a: identities[0]!,
    b: identities[1]!,
    plan: {
      repeat: o.repeat,
      max: o.plan.max,
      looks: o.plan.looks,
      maxDrop: o.plan.maxDrop,
      ...(o.plan.auto ? { budgetS: o.plan.budgetMs / 1000 } : {}),
    },
    rounds: Math.min(rounds.a.length, rounds.b.length),
    stoppedBy,
    samples: rounds,
    verdicts,
    worst,
    status,
    error,
    exitCode,
  };
}

/** Who a side was, from its run record: the driver's version (a build's path and sha256) and its programs' tags. */
function identity(
  lb: LbSpec,
  runId: string,
  end: { file?: string; status?: string; exitCode: number },
): AbSideIdentity {
  let rec: RunRecord | undefined;
  try {
    rec = end.file ? readJsonCapped<RunRecord>(end.file, 'a zonlab result record') : undefined;
  } catch {
    /* no record: the side said why */
  }
  return {
    spec: lb.spec,
    ...(lb.set?.length ? { set: lb.set } : {}),
    driver: rec?.driver.name ?? lb.driver,
    version: rec?.driver.version ?? 'unknown',
    runId,
    record: end.file,
    status: end.status ?? `exit ${end.exitCode}`,
    programs: (rec?.lbCost?.programs ?? []).map((p) => ({ name: p.name, tag: p.tag })),
  };
}
