import { registerLab, unregisterLab } from '../../../lab/registry.js';
import { insideSandbox, prepareSandbox, READY_LINE, startDetachedSandbox } from '../../../lab/sandbox.js';
import { ExitCode, isSignalExit, UserError } from '../../errors.js';
import { startScenarioLab } from '../../session/start-lab.js';
import { applyCommon, progressPrinter, reportCost, untilSignalled, type CommonArgs } from '../common.js';
import { loadFor } from '../scenario-arg.js';
import { preflight } from '../preflight.js';

export async function upCommand(a: CommonArgs & { scenario: string }): Promise<number> {
  applyCommon(a);
  const s = loadFor(a.scenario, a);
  const { driver, plan } = await preflight(s, a);
  if (!a.host && !insideSandbox()) {
    // sandboxes cannot collide: each is a lab of its own, named by its id (issue 22)
    const runId = plan.runId;
    process.env.ZONLAB_RUN_ID = runId;
    const started = new Date().toISOString();
    const register = (p: { holderPid: number; unsharePid: number }) => registerLab({ scenario: s.name, runId, mode: 'sandbox', command: 'up', started, driver: driver.name, holderPid: p.holderPid, unsharePid: p.unsharePid, namespaces: s.namespaces });
    const pids = await startDetachedSandbox(process.argv.slice(2), { onOutput: (text) => process.stderr.write(text), onInside: register }).catch((err: Error & { exitCode?: number }) => {
      unregisterLab(runId);
      const code = err.exitCode ?? ExitCode.checkFailed;
      throw new UserError(`could not bring ${s.name} up${isSignalExit(code) ? ': interrupted' : ''}`, code, [err.message]);
    });
    register(pids);
    if (a.json) {
      process.stdout.write(`${JSON.stringify({ scenario: s.name, id: runId, mode: 'sandbox', driver: driver.name, holderPid: pids.holderPid, namespaces: s.namespaces })}\n`);
      return 0;
    }
    process.stdout.write([
      `${s.name} is up in a sandbox (driver ${driver.name}, id ${runId}, held by pid ${pids.holderPid}).`,
      `  run a command in it:   zonlab exec ${s.name} ${s.namespaces[0] ?? 'default'} --id ${runId} -- ip address`,
      `  a shell in it:         zonlab exec ${s.name} default --id ${runId} -- bash`,
      `  take it down:          zonlab down ${s.name} --id ${runId}`,
      '',
    ].join('\n'));
    return 0;
  }
  if (insideSandbox()) await prepareSandbox();
  const progress = progressPrinter(a);
  const lab = await startScenarioLab(plan, driver, { command: 'up', log: progress, onStep: (i, n, w) => progress(`[${i}/${n}] ${w}`) });
  if (a.host) {
    lab.leaveUp();
    process.stdout.write(`${s.name} is up on the host (driver ${driver.name}); follow the README by hand, e.g. ip netns exec ${s.namespaces[0] ?? 'NETNS'} …; remove it with: zonlab down ${s.name} --host\n`);
    reportCost(a);
    return 0;
  }
  // inside the detached sandbox: announce, then hold the lab until told to go
  process.stdout.on('error', () => { /* the parent stopped reading after the ready line */ });
  reportCost(a);
  process.stdout.write(`${READY_LINE}\n`);
  await untilSignalled();
  await lab.stop();
  return 0;
}

