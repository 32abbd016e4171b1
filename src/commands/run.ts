import { existsSync } from 'node:fs';
import { registerLab, unregisterLab } from '../../lab/registry.js';
import { insideSandbox, prepareSandbox, runInSandbox } from '../../lab/sandbox.js';
import type { CheckOutcome } from '../checks/outcome.js';
import type { Driver } from '../drivers/driver.js';
import { resolveDriver } from '../drivers/registry.js';
import { ExitCode, MissingRequirement } from '../errors.js';
import { hostFacts } from '../host-facts.js';
import { bpfDir } from '../paths.js';
import { planScenario } from '../plan/plan.js';
import { missingRequirements } from '../requirements.js';
import { describeFeature, probe } from '../doctor/probes.js';
import { featuresOf } from '../doctor/scenario-needs.js';
import type { Scenario } from '../scenario/types.js';
import { newRunId, runScenario } from '../session/run-scenario.js';
import { applyCommon, loadFor, progressPrinter, reportCost, untilSignalled, type CommonArgs } from './common.js';
import { printRunSummary, runJson } from './run-output.js';
import { compareWithBaseline, printComparison, verdictExit, writeReports } from './compare.js';

export interface RunArgs extends CommonArgs {
  scenario: string;
  keep: boolean;
  repeat?: number;
  warmup: boolean;
  baseline: boolean;
  maxDrop?: number;
  force: boolean;
  junit?: string;
  markdown?: string;
}

/** Everything that must hold before anything is created: a skip (exit 4) lists all of it. */
export async function preflight(s: Scenario, a: CommonArgs): Promise<Driver> {
  const driver = await resolveDriver(a.lb ?? s.lb.driver, { zonlbPath: a.zonlb });
  const reasons = [...missingRequirements(s, a.host ? 'host' : 'sandbox'), ...(s.lb.config ? await driver.missing(s.lb.config) : [])];
  const steps = planScenario(s, { kernel: hostFacts().kernel, driver: driver.name, bpfDir });
  for (const st of steps) if (st.kind === 'xdp-helper' && !existsSync(st.object)) reasons.push(`${st.object} is not built (run npm run setup)`);
  // probing needs root; without it the missing root is the reason already
  // the probes ran before the sandbox was entered; its copy of the machine has the same kernel
  if (!reasons.some((r) => r.startsWith('needs root')) && !insideSandbox()) {
    for (const r of await Promise.all(featuresOf(s).map(probe))) if (!r.ok) reasons.push(`the kernel lacks ${describeFeature(r.feature)} (${r.detail})`);
  }
  if (reasons.length) throw new MissingRequirement(reasons);
  return driver;
}

export async function runCommandLine(a: RunArgs): Promise<number> {
  applyCommon(a);
  const s = loadFor(a.scenario, a);
  const driver = await preflight(s, a);
  if (!a.host && !insideSandbox()) return runSandboxed(s, driver, a);
  if (insideSandbox()) await prepareSandbox();
  const progress = progressPrinter(a);
  const { record, file } = await runScenario(s, driver, a.host ? 'host' : 'sandbox', {
    progress,
    checkDone: (o: CheckOutcome) => progress(`  ${o.status === 'passed' ? 'PASS' : 'FAIL'} ${o.name}: ${o.summary}`),
    hold: async () => {
      if (a.host) {
        progress(`--keep: the lab stays up on the host; remove it with: zonlab down ${s.name} --host`);
        return;
      }
      progress(`--keep: the lab stays up until this process ends (Ctrl-C, or zonlab down ${s.name}); enter it with: zonlab exec ${s.name} NETNS -- COMMAND`);
      await untilSignalled();
    },
  }, { keep: a.keep, repeat: a.repeat, warmup: a.warmup });
  reportCost(a);
  const comparison = a.baseline && record.status === 'passed' ? compareWithBaseline(record, { maxDrop: a.maxDrop ?? s.maxDrop, force: a.force }) : undefined;
  writeReports([{ record, comparison }], a);
  if (a.json) process.stdout.write(`${JSON.stringify({ ...runJson(record, file), comparison }, null, 2)}\n`);
  else {
    printRunSummary(record, file);
    if (comparison) printComparison(comparison);
  }
  if (record.status === 'interrupted') return ExitCode.interrupted;
  if (record.status !== 'passed') return ExitCode.checkFailed;
  if (comparison && !comparison.compared) return ExitCode.badInput;
  return verdictExit(comparison);
}

/** The run happens in a child inside the sandbox; this side registers it so status/exec/down see it. */
async function runSandboxed(s: Scenario, driver: Driver, a: RunArgs): Promise<number> {
  const runId = newRunId();
  process.env.ZONLAB_RUN_ID = runId;
  const started = new Date().toISOString();
  try {
    return await runInSandbox(process.argv.slice(2), (pids) => registerLab({
      scenario: s.name, runId, mode: 'sandbox', command: 'run', started, driver: driver.name,
      holderPid: pids.holderPid, unsharePid: pids.unsharePid, namespaces: s.namespaces,
    }));
  } finally {
    unregisterLab(runId);
  }
}
