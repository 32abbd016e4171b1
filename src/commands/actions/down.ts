import { hostLabOf, tearDownHostLab, type HostLab } from '../../../lab/host-state.js';
import { signalProcess, untilEnded } from '../../../lab/process-identity.js';
import { ownerWords } from '../../../lab/registry.js';
import { stopSandbox } from '../../../lab/sandbox.js';
import { ExitCode, UserError } from '../../errors.js';
import { applyCommon, reportCost, requireRoot, type CommonArgs } from '../common.js';
import { chooseLab, labChoices, type LabChoice } from './lab-choice.js';

export interface DownArgs extends CommonArgs {
  scenario: string;
  id?: string;
  force?: boolean;
}

/**
 * Removes the one lab of NAME that `up` holds, or the one `--id` names. A run in progress is never
 * stopped unless named by its id with --force (issue 22: a `down` stopped another user's run).
 */
export async function downCommand(a: DownArgs): Promise<number> {
  requireRoot('down');
  applyCommon(a);
  const name = a.scenario;
  const choices = labChoices(name, a.host);
  const lab = chooseLab(name, choices, a.id, 'down');
  if (!lab) {
    const running = choices.filter((c) => c.inProgress);
    if (running.length) throw runsInProgress(name, running);
    process.stdout.write(`${name}: nothing is up\n`);
    reportCost(a);
    return 0;
  }
  if (lab.inProgress && !a.force) throw runsInProgress(name, [lab]);
  if (lab.mode === 'sandbox') {
    await stopSandbox(lab.entry!);
    process.stdout.write(`${name}: sandbox of ${lab.command} ${lab.id} stopped; the kernel reclaimed its namespaces\n`);
  } else {
    let host = lab.host!;
    // --force on a host run: it is asked to stop (it tears down itself); what it leaves is undone here
    if (host.state === 'running') host = (await stopHostRun(host)) ?? host;
    if (!hostLabOf(name)) {
      process.stdout.write(`${name}: host run ${lab.id} stopped; it tore its lab down\n`);
      reportCost(a);
      return 0;
    }
    const report = await tearDownHostLab(host, (line) => process.stderr.write(`zonlab: ${line}\n`));
    for (const p of report.ended) process.stdout.write(`${name}: ended ${p}, left in the lab's namespace\n`);
    for (const f of report.failures) process.stderr.write(`zonlab: ${f}\n`);
    if (report.failures.length) return ExitCode.teardownFailed;
    const whose = host.state === 'damaged' ? 'with a damaged journal' : `of run ${host.header.runId}`;
    process.stdout.write(`${name}: host lab ${whose} removed (${report.undone} steps undone)\n`);
  }
  reportCost(a);
  return 0;
}

/** The refusal when what down would stop is a run in progress: whose, and how to stop it if meant. */
function runsInProgress(name: string, runs: LabChoice[]): UserError {
  const whose = (c: LabChoice) =>
    `${c.command} ${c.id} (${c.entry?.owner ? ownerWords(c.entry.owner) : c.host && c.host.state !== 'damaged' ? `pid ${c.host.header.pid}` : 'owner unknown'})`;
  const what = runs.length === 1 ? whose(runs[0]!) : `${runs.length} runs in progress: ${runs.map(whose).join('; ')}`;
  return new UserError(`${name} is in use by ${what}; a run in progress is not stopped`, ExitCode.badInput, [
    `zonlab down ${name} --id ${runs[0]!.id} --force stops it: its checks are cut short and it tears down`,
    'or wait for it to finish; zonlab status shows what is up',
  ]);
}

/** SIGTERM to a host run's own process (pid and start time), then its journal as it left it. */
async function stopHostRun(host: HostLab): Promise<HostLab | undefined> {
  if (host.state === 'damaged') return host;
  const ref = { pid: host.header.pid, start: host.header.pidStart };
  signalProcess(ref, 'SIGTERM');
  if (!(await untilEnded([ref], 60_000)))
    throw new UserError(
      `${host.name}: run ${host.header.runId} (pid ${ref.pid}) is still tearing down after 60 s`,
      ExitCode.teardownFailed,
      ['zonlab status shows it; zonlab gc removes what it leaves once it has ended'],
    );
  return hostLabOf(host.name);
}
