import { detachSandbox, prepareSandbox, READY_LINE, type Handover } from '../../../lab/sandbox.js';
import type { Driver } from '../../drivers/driver.js';
import { resolveDriver } from '../../drivers/kinds.js';
import { ExitCode, isSignalExit, UserError } from '../../errors.js';
import type { LabPlan } from '../../plan/plan.js';
import { startScenarioLab } from '../../session/start-lab.js';
import { applyCommon, progressPrinter, reportCost, untilSignalled, type CommonArgs } from '../common.js';
import { loadFor } from '../scenario-arg.js';
import { preflight } from '../preflight.js';

type UpArgs = CommonArgs & { scenario: string };

/** What a sandboxed up's process outside hands the one inside (lab/sandbox.ts): its options and plan. */
export interface UpHandover extends Handover {
  command: 'up';
  args: UpArgs;
  plan: LabPlan;
}

export async function upCommand(a: UpArgs): Promise<number> {
  applyCommon(a);
  const s = loadFor(a.scenario, a);
  const { driver, plan } = await preflight(s, a);
  if (a.host) return upOnHost(plan, driver, a);
  // sandboxes cannot collide: each is a lab of its own, named by its id (issue 22)
  const runId = plan.runId;
  const handover: UpHandover = { command: 'up', scenario: s.name, args: a, plan };
  const lab = { scenario: s.name, runId, command: 'up' as const, driver: driver.name, namespaces: s.namespaces };
  const pids = await detachSandbox(lab, handover, (text) => process.stderr.write(text)).catch(
    (err: Error & { exitCode?: number }) => {
      const code = err.exitCode ?? ExitCode.checkFailed;
      throw new UserError(`could not bring ${s.name} up${isSignalExit(code) ? ': interrupted' : ''}`, code, [
        err.message,
      ]);
    },
  );
  if (a.json) {
    process.stdout.write(
      `${JSON.stringify({ scenario: s.name, id: runId, mode: 'sandbox', driver: driver.name, holderPid: pids.holderPid, namespaces: s.namespaces })}\n`,
    );
    return 0;
  }
  process.stdout.write(
    [
      `${s.name} is up in a sandbox (driver ${driver.name}, id ${runId}, held by pid ${pids.holderPid}).`,
      `  run a command in it:   zonlab exec ${s.name} ${s.namespaces[0] ?? 'default'} --id ${runId} -- ip address`,
      `  a shell in it:         zonlab exec ${s.name} default --id ${runId} -- bash`,
      `  take it down:          zonlab down ${s.name} --id ${runId}`,
      '',
    ].join('\n'),
  );
  return 0;
}

async function upOnHost(plan: LabPlan, driver: Driver, a: UpArgs): Promise<number> {
  const progress = progressPrinter(a);
  const lab = await startScenarioLab(plan, driver, {
    command: 'up',
    log: progress,
    onStep: (i, n, w) => progress(`[${i}/${n}] ${w}`),
  });
  lab.leaveUp();
  const s = plan.scenario;
  process.stdout.write(
    `${s.name} is up on the host (driver ${driver.name}); follow the README by hand, e.g. ip netns exec ${s.namespaces[0] ?? 'NETNS'} …; remove it with: zonlab down ${s.name} --host\n`,
  );
  reportCost(a);
  return 0;
}

/** Inside the detached sandbox: the lab the process outside planned, announced, then held until told to go. */
export async function upInside(h: UpHandover): Promise<number> {
  applyCommon(h.args);
  const driver = await resolveDriver(h.plan.driver, { zonlbPath: h.args.zonlb });
  await prepareSandbox();
  const progress = progressPrinter(h.args);
  const lab = await startScenarioLab(h.plan, driver, {
    command: 'up',
    log: progress,
    onStep: (i, n, w) => progress(`[${i}/${n}] ${w}`),
  });
  process.stdout.on('error', () => {
    /* the parent stopped reading after the ready line */
  });
  reportCost(h.args);
  process.stdout.write(`${READY_LINE}\n`);
  await untilSignalled();
  await lab.stop();
  return 0;
}
