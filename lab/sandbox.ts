import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { childExit, isSignalExit, signalExit } from './errors.js';
import { runCommand, spawnInherited } from './run-command.js';
import { keepMachineReservations, stateDir } from './state-files.js';

/** The default isolation: new network, mount and PID namespaces, which the kernel reclaims even after SIGKILL. */
export const SANDBOX_ENV = 'ZONLAB_SANDBOX';

export const UNSHARE = ['unshare', '--net', '--mount', '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private'];

export function insideSandbox(): boolean {
  return process.env[SANDBOX_ENV] === '1';
}

/** The command line that runs this CLI again inside a sandbox. */
export function sandboxArgv(cliArgs: string[], opts: { outliveParent?: boolean } = {}): string[] {
  // unshare outlives a SIGKILLed parent unless told to die with it; it then kills the process inside
  const tie = opts.outliveParent ? [] : ['setpriv', '--pdeathsig', 'SIGKILL', '--'];
  return [...tie, ...UNSHARE, '--', process.execPath, ...process.execArgv, process.argv[1]!, ...cliArgs];
}

/** A /run of its own (else `ip netns add` leaks into the host's /run/netns), a /sys and bpffs of this namespace, lo up. */
export async function prepareSandbox(): Promise<void> {
  keepMachineReservations();
  await runCommand(['mount', '-t', 'tmpfs', '-o', 'mode=0755', 'zonlab-run', '/run']);
  mkdirSync('/run/netns', { mode: 0o755 });
  await runCommand(['mount', '-t', 'sysfs', 'zonlab-sys', '/sys']);
  await runCommand(['mount', '-t', 'bpf', 'zonlab-bpf', '/sys/fs/bpf']);
  // `ip -n`/`ip netns exec` mount a fresh /sys, hiding /sys/fs/bpf; iproute2's object loader then
  // fails when the machine has a bpffs of its own. A bpffs outside /sys, named by TC_BPF_MNT, stays.
  const bpffs = iprouteBpffs();
  mkdirSync(bpffs, { recursive: true, mode: 0o700 });
  await runCommand(['mount', '-t', 'bpf', 'zonlab-bpf', bpffs]);
  process.env.TC_BPF_MNT = bpffs;
  await runCommand(['ip', 'link', 'set', 'dev', 'lo', 'up']);
}

/** Where iproute2 keeps its BPF state for zonlab's runs (TC_BPF_MNT). */
export function iprouteBpffs(): string {
  return path.join(stateDir(), 'bpffs');
}

/**
 * Runs the CLI in a sandbox in the foreground. unshare ignores SIGINT and SIGTERM while it waits,
 * so they are forwarded to the process inside, which tears down and exits. The sandbox is a session
 * of its own: a terminal's Ctrl-C goes to this process's group alone and is forwarded once (in the
 * group, the process inside got it twice and said "SIGINT again", issue 22).
 */
export function runInSandbox(cliArgs: string[], onInside?: (pids: DetachedSandbox) => void): Promise<number> {
  const child = spawnInherited(sandboxArgv(cliArgs), { [SANDBOX_ENV]: '1' }, { ownSession: true });
  // the inner process appears once unshare has forked
  const poll = setInterval(() => {
    const inner = innerPid(child.pid);
    if (!inner) return;
    clearInterval(poll);
    onInside?.({ unsharePid: child.pid!, holderPid: inner });
  }, 20);
  // SIGHUP goes in as SIGTERM (the run tears down on that); the exit code tells the signal this process got
  let received: NodeJS.Signals | undefined;
  const forward = (sig: NodeJS.Signals, as: NodeJS.Signals = sig) => {
    received ??= sig;
    const inner = innerPid(child.pid);
    // before unshare has forked there is nothing to tear down: unshare goes (in its own session, nothing else would)
    try { if (inner) process.kill(inner, as); else child.kill('SIGKILL'); } catch { /* it has just ended */ }
  };
  const onInt = () => forward('SIGINT');
  const onTerm = () => forward('SIGTERM');
  const onHup = () => forward('SIGHUP', 'SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
      const exit = childExit(code, signal);
      resolve(received && isSignalExit(exit) ? signalExit(received) : exit);
    });
  });
}

export interface DetachedSandbox {
  unsharePid: number;
  holderPid: number;
}

export interface DetachedStart {
  /** The sandbox's progress and errors, as the process inside writes them (its stderr). */
  onOutput(text: string): void;
  /** The process inside is known: record it at once, so that a lab being built is never unknown. */
  onInside?(pids: DetachedSandbox): void;
}

/** `zonlab up`: a sandbox that outlives this process, prints a ready line and holds the lab until SIGTERM. */
export function startDetachedSandbox(cliArgs: string[], o: DetachedStart): Promise<DetachedSandbox> {
  const argv = sandboxArgv(cliArgs, { outliveParent: true });
  const child = spawn(argv[0]!, argv.slice(1), {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [SANDBOX_ENV]: '1' },
  });
  let inside: DetachedSandbox | undefined;
  const poll = setInterval(() => {
    const holderPid = innerPid(child.pid);
    if (!holderPid || inside) return;
    clearInterval(poll);
    inside = { unsharePid: child.pid!, holderPid };
    o.onInside?.(inside);
  }, 20);
  // unshare ignores both while it waits: the process inside gets them, or, before it exists, unshare is killed
  const forward = (sig: NodeJS.Signals) => {
    try { if (inside) process.kill(inside.holderPid, sig); else child.kill('SIGKILL'); } catch { /* it has just ended */ }
  };
  const onInt = () => forward('SIGINT');
  const onTerm = () => forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const done = () => {
    clearInterval(poll);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => o.onOutput(d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buffered += d;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line === READY_LINE) {
          done();
          const holderPid = innerPid(child.pid);
          child.stdout!.destroy();
          child.stderr!.destroy();
          child.unref();
          if (!holderPid) reject(new Error('the sandbox is up but its process could not be found'));
          else resolve({ unsharePid: child.pid!, holderPid });
          return;
        }
        o.onOutput(`${line}\n`);
      }
    });
    child.on('exit', (code, signal) => {
      done();
      reject(Object.assign(new Error(`the sandbox exited with ${code ?? signal}`), { exitCode: code ?? undefined }));
    });
  });
}

export const READY_LINE = 'zonlab: lab is up';

/** The process unshare forked: the one inside the namespaces. */
export function innerPid(unsharePid: number | undefined): number | undefined {
  if (!unsharePid) return undefined;
  try {
    const children = readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim().split(/\s+/);
    const pid = Number(children[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** argv that runs a command inside a held sandbox, in one of its namespaces. */
export function nsenterArgv(holderPid: number, netns: string | undefined, cmd: string[]): string[] {
  const enter = ['nsenter', '--target', String(holderPid), '--mount', '--net', '--pid', '--'];
  return netns === undefined ? [...enter, ...cmd] : [...enter, 'ip', 'netns', 'exec', netns, ...cmd];
}
