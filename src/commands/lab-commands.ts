import { existsSync, readdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { startLab } from '../../lab/lab.js';
import { hostJournalFile } from '../../lab/host-state.js';
import { Journal } from '../../lab/journal.js';
import { isAlive, labsOf, listLabs, registerLab, unregisterLab, type LabEntry } from '../../lab/registry.js';
import { inNetns, spawnInherited } from '../../lab/run-command.js';
import { insideSandbox, nsenterArgv, prepareSandbox, READY_LINE, startDetachedSandbox } from '../../lab/sandbox.js';
import { teardown } from '../../lab/teardown.js';
import { childExit, ExitCode, UserError } from '../errors.js';
import { hostFacts, isRoot } from '../host-facts.js';
import { paint, table } from '../output/table.js';
import { stateDir } from '../paths.js';
import { newRunId } from '../session/run-id.js';
import { applyCommon, loadFor, progressPrinter, reportCost, untilSignalled, type CommonArgs } from './common.js';
import { preflight } from './preflight.js';

export function requireRoot(command: string): void {
  if (!isRoot()) throw new UserError(`zonlab ${command} needs root (it changes network namespaces and interfaces)`, ExitCode.skipped);
}

export async function upCommand(a: CommonArgs & { scenario: string }): Promise<number> {
  applyCommon(a);
  const s = loadFor(a.scenario, a);
  const driver = await preflight(s, a);
  const progress = progressPrinter(a);
  if (!a.host && !insideSandbox()) {
    if (labsOf(s.name).some((l) => l.command === 'up')) throw new UserError(`${s.name} is already up`, 2, [`zonlab down ${s.name} removes it`]);
    const runId = newRunId();
    process.env.ZONLAB_RUN_ID = runId;
    const pids = await startDetachedSandbox(process.argv.slice(2), progress).catch((err: Error & { exitCode?: number }) => {
      throw new UserError(`could not bring ${s.name} up`, (err.exitCode as 1 | 2 | 4 | undefined) ?? 1, [err.message]);
    });
    registerLab({ scenario: s.name, runId, mode: 'sandbox', command: 'up', started: new Date().toISOString(), driver: driver.name, holderPid: pids.holderPid, unsharePid: pids.unsharePid, namespaces: s.namespaces });
    process.stdout.write([
      `${s.name} is up in a sandbox (driver ${driver.name}, run ${runId}, held by pid ${pids.holderPid}).`,
      `  run a command in it:   zonlab exec ${s.name} ${s.namespaces[0] ?? 'default'} -- ip address`,
      `  a shell in it:         zonlab exec ${s.name} default -- bash`,
      `  take it down:          zonlab down ${s.name}`,
      '',
    ].join('\n'));
    return 0;
  }
  if (insideSandbox()) await prepareSandbox();
  const runId = newRunId();
  const lab = await startLab({ scenario: s, driver, mode: a.host ? 'host' : 'sandbox', runId, kernel: hostFacts().kernel, log: progress, onStep: (i, n, w) => progress(`[${i}/${n}] ${w}`) });
  if (a.host) {
    registerLab({ scenario: s.name, runId, mode: 'host', command: 'up', started: new Date().toISOString(), driver: driver.name, namespaces: s.namespaces });
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
  const file = hostJournalFile(name);
  if (existsSync(file)) {
    found = true;
    const journal = Journal.read(file);
    if (journal.header.pid !== process.pid && isAlive(journal.header.pid) && labsOf(name).some((l) => l.mode === 'host' && l.command === 'run')) {
      throw new UserError(`${name} is in use by run ${journal.header.runId} (pid ${journal.header.pid})`, 2, ['wait for it to finish, or stop it with Ctrl-C']);
    }
    const report = await teardown(journal);
    for (const f of report.failures) process.stderr.write(`zonlab: ${f}\n`);
    if (report.failures.length) return ExitCode.teardownFailed;
    unlinkSync(file);
    unregisterLab(journal.header.runId);
    process.stdout.write(`${name}: host lab of run ${journal.header.runId} removed (${report.undone} steps undone)\n`);
  }
  if (!found) process.stdout.write(`${name}: nothing is up\n`);
  reportCost(a);
  return 0;
}

async function stopSandbox(lab: LabEntry): Promise<void> {
  if (lab.holderPid && isAlive(lab.holderPid)) process.kill(lab.holderPid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (isAlive(lab.holderPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  // a holder that does not stop in time is killed: the kernel reclaims its sandbox all the same
  if (isAlive(lab.unsharePid)) process.kill(lab.unsharePid!, 'SIGKILL');
  if (isAlive(lab.holderPid)) process.kill(lab.holderPid!, 'SIGKILL');
  unregisterLab(lab.runId);
}

export function statusCommand(a: Pick<CommonArgs, 'json'> & { scenario?: string }): number {
  const labs = listLabs().filter((l) => !a.scenario || l.scenario === a.scenario);
  const hostDir = path.join(stateDir(), 'host');
  const orphans = existsSync(hostDir)
    ? readdirSync(hostDir).filter((f) => f.endsWith('.journal')).map((f) => f.slice(0, -8)).filter((n) => !labs.some((l) => l.scenario === n && l.mode === 'host'))
    : [];
  if (a.json) {
    process.stdout.write(`${JSON.stringify({ labs, hostJournalsWithoutProcess: orphans }, null, 2)}\n`);
    return 0;
  }
  if (!labs.length && !orphans.length) {
    process.stdout.write('nothing is up\n');
    return 0;
  }
  const rows = labs.map((l) => [l.scenario, l.mode, l.command, l.driver, l.runId, l.started.replace('T', ' ').slice(0, 19), l.holderPid ? String(l.holderPid) : '-', l.namespaces.join(' ')]);
  for (const o of orphans) rows.push([o, 'host', '?', '?', '?', '?', '-', paint('journal left: zonlab down --host or zonlab gc', 'yellow')]);
  process.stdout.write(`${table(['scenario', 'mode', 'by', 'driver', 'run', 'started (UTC)', 'pid', 'namespaces'], rows)}\n`);
  return 0;
}

export async function execCommand(a: CommonArgs & { scenario: string; netns: string; cmd: string[] }): Promise<number> {
  requireRoot('exec');
  if (!a.cmd.length) throw new UserError('no command given', 2, ['zonlab exec SCENARIO NETNS -- COMMAND ARGS…']);
  const labs = labsOf(a.scenario);
  const lab = labs.find((l) => l.mode === (a.host ? 'host' : 'sandbox')) ?? labs[0];
  if (!lab) throw new UserError(`${a.scenario} is not up`, 2, [`zonlab up ${a.scenario} brings it up`]);
  const ns = a.netns === 'default' ? undefined : a.netns;
  if (ns !== undefined && !lab.namespaces.includes(ns)) throw new UserError(`${a.scenario} has no namespace ${ns}`, 2, [`its namespaces: default ${lab.namespaces.join(' ')}`]);
  const argv = lab.mode === 'sandbox' ? nsenterArgv(lab.holderPid!, ns, a.cmd) : inNetns(a.cmd, ns);
  const child = spawnInherited(argv);
  return new Promise((resolve) => child.on('exit', (code, sig) => resolve(childExit(code, sig))));
}

export async function gcCommand(a: CommonArgs): Promise<number> {
  requireRoot('gc');
  applyCommon(a);
  const { collectGarbage } = await import('./gc.js');
  const report = await collectGarbage();
  for (const r of report.removed) process.stdout.write(`removed ${r}\n`);
  for (const k of report.kept) process.stdout.write(`kept ${k}\n`);
  for (const f of report.failures) process.stderr.write(`zonlab: ${f}\n`);
  if (!report.removed.length && !report.failures.length) process.stdout.write('nothing left behind\n');
  return report.failures.length ? ExitCode.teardownFailed : 0;
}
