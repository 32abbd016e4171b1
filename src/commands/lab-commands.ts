import { hostLabOf, hostLabs, inUseError, tearDownHostLab, type HostLab } from '../../lab/host-state.js';
import { isSameProcess, signalProcess } from '../../lab/process-identity.js';
import { labsOf, listLabs, registerLab, unregisterLab, type LabEntry } from '../../lab/registry.js';
import { inNetns, spawnInherited } from '../../lab/run-command.js';
import { insideSandbox, nsenterArgv, prepareSandbox, READY_LINE, startDetachedSandbox } from '../../lab/sandbox.js';
import { childExit, ExitCode, isSignalExit, UserError } from '../errors.js';
import { isRoot } from '../host-facts.js';
import { paint, table } from '../output/table.js';
import { startScenarioLab } from '../session/start-lab.js';
import { applyCommon, loadFor, progressPrinter, reportCost, untilSignalled, type CommonArgs } from './common.js';
import { preflight } from './preflight.js';

export function requireRoot(command: string): void {
  if (!isRoot()) throw new UserError(`zonlab ${command} needs root (it changes network namespaces and interfaces)`, ExitCode.skipped);
}

export async function upCommand(a: CommonArgs & { scenario: string }): Promise<number> {
  applyCommon(a);
  const s = loadFor(a.scenario, a);
  const { driver, plan } = await preflight(s, a);
  if (!a.host && !insideSandbox()) {
    if (labsOf(s.name).some((l) => l.command === 'up')) throw new UserError(`${s.name} is already up`, 2, [`zonlab down ${s.name} removes it`]);
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

/** What status says of a host lab: a live run is only ever described, never offered for removal. */
function hostLabNote(lab: HostLab): string {
  switch (lab.state) {
    case 'running': return `running (pid ${lab.header.pid})`;
    case 'up': return `up: zonlab down ${lab.name} --host removes it`;
    case 'stale': return paint(`its run (pid ${lab.header.pid}) was killed: zonlab down ${lab.name} --host or zonlab gc removes what it left`, 'yellow');
    case 'damaged': return paint(`damaged journal: zonlab down ${lab.name} --host or zonlab gc sets it aside and undoes what it can read`, 'yellow');
  }
}

export function statusCommand(a: Pick<CommonArgs, 'json'> & { scenario?: string }): number {
  const wanted = (name: string) => !a.scenario || name === a.scenario;
  const hosts = hostLabs().filter((l) => wanted(l.name));
  const hostOf = (l: LabEntry) => hosts.find((h) => h.state !== 'damaged' && h.header.runId === l.runId);
  // a host entry whose journal is now another run's is history: only the journal's own run is shown
  const labs = listLabs().filter((l) => wanted(l.scenario) && (l.mode === 'sandbox' || hostOf(l)));
  const unlisted = hosts.filter((h) => !labs.some((l) => l.mode === 'host' && hostOf(l) === h));
  if (a.json) {
    const state = (l: LabEntry) => (l.mode === 'sandbox' ? (l.command === 'run' ? 'running' : 'up') : hostOf(l)!.state);
    process.stdout.write(`${JSON.stringify({ labs: labs.map((l) => ({ ...l, state: state(l) })), hostLabsWithoutEntry: unlisted.map((h) => ({ scenario: h.name, state: h.state })) }, null, 2)}\n`);
    return 0;
  }
  if (!labs.length && !unlisted.length) {
    process.stdout.write('nothing is up\n');
    return 0;
  }
  const rows = labs.map((l) => {
    const host = l.mode === 'host' ? hostOf(l) : undefined;
    const note = host ? hostLabNote(host) : l.command === 'run' ? 'running' : 'up';
    return [l.scenario, l.mode, l.command, l.driver, l.runId, l.started.replace('T', ' ').slice(0, 19), String(l.holderPid ?? l.pid ?? '-'), l.namespaces.join(' '), note];
  });
  for (const h of unlisted) rows.push([h.name, 'host', '?', '?', h.state === 'damaged' ? '?' : h.header.runId, h.state === 'damaged' ? '?' : h.header.started.replace('T', ' ').slice(0, 19), '-', '', hostLabNote(h)]);
  process.stdout.write(`${table(['scenario', 'mode', 'by', 'driver', 'run', 'started (UTC)', 'pid', 'namespaces', 'state'], rows)}\n`);
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
  for (const w of report.warnings) process.stderr.write(`zonlab: ${w}\n`);
  for (const f of report.failures) process.stderr.write(`zonlab: ${f}\n`);
  if (!report.removed.length && !report.failures.length) process.stdout.write('nothing left behind\n');
  return report.failures.length ? ExitCode.teardownFailed : 0;
}
