import { hostLabOf, inUseError, tearDownHostLab } from '../../../lab/host-state.js';
import { isSameProcess, signalProcess } from '../../../lab/process-identity.js';
import { labsOf, unregisterLab, type LabEntry } from '../../../lab/registry.js';
import { ExitCode } from '../../errors.js';
import { applyCommon, reportCost, requireRoot, type CommonArgs } from '../common.js';

export async function downCommand(a: CommonArgs & { scenario: string }): Promise<number> {
  requireRoot('down');
  applyCommon(a);
  const name = a.scenario;
  let found = false;
  for (const lab of labsOf(name)) {
    if (lab.mode !== 'sandbox') continue;
    found = true;
    await stopSandbox(lab);
    process.stdout.write(`${name}: sandbox of run ${lab.runId} stopped; the kernel reclaimed its namespaces\n`);
  }
  const host = hostLabOf(name);
  if (host) {
    found = true;
    if (host.state === 'running') throw inUseError(host);
    const report = await tearDownHostLab(host, (line) => process.stderr.write(`zonlab: ${line}\n`));
    for (const p of report.ended) process.stdout.write(`${name}: ended ${p}, left in the lab's namespace\n`);
    for (const f of report.failures) process.stderr.write(`zonlab: ${f}\n`);
    if (report.failures.length) return ExitCode.teardownFailed;
    const whose = host.state === 'damaged' ? 'with a damaged journal' : `of run ${host.header.runId}`;
    process.stdout.write(`${name}: host lab ${whose} removed (${report.undone} steps undone)\n`);
  }
  if (!found) process.stdout.write(`${name}: nothing is up\n`);
  reportCost(a);
  return 0;
}

/** Signals only the very processes the registry recorded (pid and start time): never a reused pid. */
async function stopSandbox(lab: LabEntry): Promise<void> {
  const holder = { pid: lab.holderPid, start: lab.holderStart };
  signalProcess(holder, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (isSameProcess(holder) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  // a holder that does not stop in time is killed: the kernel reclaims its sandbox all the same
  signalProcess({ pid: lab.unsharePid, start: lab.unshareStart }, 'SIGKILL');
  signalProcess(holder, 'SIGKILL');
  unregisterLab(lab.runId);
}
