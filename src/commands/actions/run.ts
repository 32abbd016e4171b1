import path from 'node:path';
import { enterSandbox, prepareSandbox, type Handover } from '../../../lab/sandbox.js';
import { onSignals, STOP_SIGNALS } from '../../../lab/signals.js';
import type { CheckOutcome } from '../../checks/outcome.js';
import type { Driver } from '../../drivers/driver.js';
import type { LabPlan } from '../../plan/plan.js';
import { ExitCode, signalExit, UserError } from '../../errors.js';
import { choosePaths, resultsDir } from '../../paths.js';
import { resolveDriver } from '../../drivers/kinds.js';
import type { Scenario } from '../../scenario/types.js';
import { loadBaseline } from '../../baseline/store.js';
import { runScenario, type RunOptions } from '../../session/run-scenario.js';
import { creatableDir } from '../options.js';
import { preflight } from '../preflight.js';
import { applyCommon, progressPrinter, reportCost, untilSignalled, type CommonArgs } from '../common.js';
import { loadFor, requireChecks } from '../scenario-arg.js';
import { recordExit } from '../../compare/exit-code.js';
import { compareWithStoredBaseline } from '../../compare/with-baseline.js';
import { printComparison, printNoBaseline } from '../../output/comparison.js';
import { writeReports } from '../../output/reports.js';
import { printRunSummary, runJson } from '../../output/run-summary.js';
import { MIN_SAMPLES } from '../../stats/verdict.js';

export interface RunArgs extends CommonArgs {
  scenario: string;
  keep: boolean;
  repeat?: number | 'auto';
  maxRepeat?: number;
  budget?: number;
  warmup: boolean;
  baseline: boolean;
  maxDrop?: number;
  force: boolean;
  junit?: string;
  markdown?: string;
}

/** What a sandboxed run's process outside hands the one inside (lab/sandbox.ts): its options, plan and results folder. */
export interface RunHandover extends Handover {
  command: 'run';
  args: RunArgs;
  plan: LabPlan;
  results: string;
}

export async function runCommandLine(a: RunArgs): Promise<number> {
  applyCommon(a);
  const s = loadFor(a.scenario, a);
  requireChecks(s);
  const { driver, plan } = await preflight(s, a);
  // after preflight: without root the run is a skip, whatever the folder
  creatableDir('--results', resultsDir());
  if (a.host) return runHere(plan, driver, a);
  writesOutsideRun(a);
  // the process inside takes this plan and its run id: the registry, the record and `exec --id` name one run
  const handover: RunHandover = { command: 'run', scenario: s.name, args: a, plan, results: resultsDir() };
  return enterSandbox(
    { scenario: s.name, runId: plan.runId, command: 'run', driver: driver.name, namespaces: s.namespaces },
    handover,
  );
}

/** Inside the sandbox: the run the process outside planned (its preflight holds here: one machine, one moment). */
export async function runInside(h: RunHandover): Promise<number> {
  applyCommon(h.args);
  choosePaths({ results: h.results });
  const driver = await resolveDriver(h.plan.driver, { zonlbPath: h.args.zonlb });
  await prepareSandbox();
  return runHere(h.plan, driver, h.args);
}

async function runHere(plan: LabPlan, driver: Driver, a: RunArgs): Promise<number> {
  const signals = watchSignals();
  try {
    return await runAndReport(plan, driver, a, signals);
  } finally {
    signals.stop();
  }
}

async function runAndReport(plan: LabPlan, driver: Driver, a: RunArgs, signals: { last?: string }): Promise<number> {
  const s = plan.scenario;
  const progress = progressPrinter(a);
  const { record, file } = await runScenario(
    plan,
    driver,
    {
      progress,
      checkDone: (o: CheckOutcome) => progress(`  ${o.status === 'passed' ? 'PASS' : 'FAIL'} ${o.name}: ${o.summary}`),
      hold: async () => {
        if (a.host) {
          progress(`--keep: the lab stays up on the host; remove it with: zonlab down ${s.name} --host`);
          return;
        }
        progress(
          `--keep: the lab stays up until this process ends (Ctrl-C, or zonlab down ${s.name} --id ${plan.runId} --force); enter it with: zonlab exec ${s.name} NETNS --id ${plan.runId} -- COMMAND`,
        );
        await untilSignalled();
      },
    },
    { keep: a.keep, warmup: a.warmup, ...repeatOptions(a, s, driver, progress) },
  );
  reportCost(a);
  const comparison =
    a.baseline && record.status === 'passed'
      ? compareWithStoredBaseline(record, { maxDrop: a.maxDrop ?? s.maxDrop, force: a.force })
      : undefined;
  const baseline = a.baseline && record.status === 'passed' && !comparison ? ('missing' as const) : undefined;
  writeReports([{ record, comparison, baseline }], a);
  if (a.json) process.stdout.write(`${JSON.stringify({ ...runJson(record, file), comparison, baseline }, null, 2)}\n`);
  else {
    printRunSummary(record, file);
    if (comparison) printComparison(comparison);
    if (baseline) printNoBaseline([record]);
  }
  if (record.status === 'interrupted') return signals.last ? signalExit(signals.last) : ExitCode.interrupted;
  return recordExit(record, comparison);
}

/** Which signal interrupted the run: its exit code is 128 + that signal's number. */
function watchSignals(): { last?: string; stop(): void } {
  const state: { last?: string; stop(): void } = { stop: () => {} };
  state.stop = onSignals(STOP_SIGNALS, (sig) => {
    state.last ??= sig;
  });
  return state;
}

/**
 * --repeat N, or auto with its cap, budget, threshold and (with --baseline) the baseline it judges
 * against. --baseline without --repeat (and a scenario that repeats fewer than 3 times) samples as
 * auto does: one sample a side can judge nothing.
 */
function repeatOptions(
  a: RunArgs,
  s: Scenario,
  driver: Driver,
  progress: (line: string) => void,
): Pick<RunOptions, 'repeat' | 'maxDrop' | 'reference'> {
  if (!autoRepeat(a, s)) return { repeat: a.repeat as number | undefined };
  const max = a.maxRepeat ?? 20;
  if (a.repeat === undefined)
    progress(
      `--baseline without --repeat: sampling each throughput check as --repeat auto does (at most ${max} samples; fewer than ${MIN_SAMPLES} can judge nothing)`,
    );
  const reference = a.baseline ? loadBaseline(s.name, driver.name)?.samples : undefined;
  return { repeat: { auto: { max, budgetMs: (a.budget ?? 600) * 1000 } }, maxDrop: a.maxDrop ?? s.maxDrop, reference };
}

export function autoRepeat(a: Pick<RunArgs, 'repeat' | 'baseline'>, s: Pick<Scenario, 'repeat'>): boolean {
  return a.repeat === 'auto' || (a.repeat === undefined && a.baseline && s.repeat < MIN_SAMPLES);
}

/** Inside a sandbox /run is its own tmpfs (lab/sandbox.ts): what the run writes there would be lost. */
function writesOutsideRun(a: RunArgs): void {
  const outputs: [string, string | undefined][] = [
    ['--junit', a.junit],
    ['--markdown', a.markdown],
    ['the results folder', resultsDir()],
  ];
  const under = outputs.filter(([, p]) => p !== undefined && (path.resolve(p) + '/').startsWith('/run/'));
  if (under.length) {
    throw new UserError(
      `${under.map(([k, p]) => `${k} ${p}`).join(', ')}: inside the sandbox /run is the sandbox's own, and a file written there is lost with it`,
      ExitCode.badInput,
      ['write it outside /run, or run with --host'],
    );
  }
}
