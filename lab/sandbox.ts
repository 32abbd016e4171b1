import type { ChildProcess, StdioOptions } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { childExit, isSignalExit, LabError, signalExit } from './errors.js';
import { inNetns, ipArgv } from './net.js';
import { signalProcess, untilEnded } from './process-identity.js';
import { registerLab, unregisterLab, type LabEntry } from './registry.js';
import { noteSpawned, runCommand, runOnTerminal, spawnedProcesses, spawnProcess } from './run-command.js';
import { onSignals, STOP_SIGNALS } from './signals.js';
import { keepMachineReservations, stateDir } from './state-files.js';

/** The default isolation: new network, mount and PID namespaces, which the kernel reclaims even after SIGKILL. */
export const SANDBOX_ENV = 'ZONLAB_SANDBOX';

export const UNSHARE = [
  'unshare',
  '--net',
  '--mount',
  '--pid',
  '--fork',
  '--kill-child',
  '--mount-proc',
  '--propagation',
  'private',
];

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
  await runCommand(ipArgv(undefined, 'link', 'set', 'dev', 'lo', 'up'));
}

/** Where iproute2 keeps its BPF state for zonlab's runs (TC_BPF_MNT). */
export function iprouteBpffs(): string {
  return path.join(stateDir(), 'bpffs');
}

/** What the registry records of a sandboxed lab besides its processes (status, exec and down read it). */
export type SandboxLab = Pick<LabEntry, 'scenario' | 'runId' | 'command' | 'driver' | 'namespaces'>;

/**
 * What the process outside hands the process inside, as JSON on its stdin: the command, and (its
 * callers add them) its parsed options and the plan it computed with the run's id. The inside
 * neither parses a command line again nor repeats the preflight and the plan.
 */
export interface Handover {
  command: 'run' | 'up';
  scenario: string;
  /** The processes the outside spawned, the sandbox's own included: `--verbose` counts the run's, on both sides. */
  spawnedOutside?: number;
}

/** The inner process's argv after the CLI: the hidden command that takes the handover (the rest names it for `ps`). */
export const INSIDE_COMMAND = 'inside';

/**
 * Inside the sandbox: what the process outside handed over (read once, to its end). The process
 * unshare forks is the first of its PID namespace: a ZONLAB_SANDBOX=1 that strayed into a shell
 * must not mount over the machine's /run and build a lab in the machine's namespaces.
 */
export function handedOver<H extends Handover>(): H {
  if (!insideSandbox() || process.pid !== 1) {
    throw new LabError(
      `zonlab ${INSIDE_COMMAND} is the inside of a sandboxed run or up, and runs only in the sandbox they make`,
      'refused',
      ['zonlab run SCENARIO, or zonlab up SCENARIO'],
    );
  }
  const h = JSON.parse(readFileSync(0, 'utf8')) as H;
  noteSpawned(h.spawnedOutside ?? 0);
  return h;
}

export interface SandboxProcess {
  /** unshare, with the stdio the caller chose; it ends with the process inside, passing on its exit code. */
  child: ChildProcess;
  /** The process inside and unshare, once unshare has forked. */
  pids(): DetachedSandbox | undefined;
  /**
   * Passes a signal to the process inside (unshare ignores SIGINT and SIGTERM while it waits);
   * before unshare has forked there is nothing to tear down, and unshare goes.
   */
  signal(sig: NodeJS.Signals): void;
  /** Stops watching and leaves the lab registered: `up`, whose sandbox outlives this process. */
  leave(): void;
}

export interface DetachedSandbox {
  unsharePid: number;
  holderPid: number;
}

/**
 * The CLI again, with `cliArgs`, in a sandbox and a session of its own: registered under the lab's
 * run id as soon as its process inside is known (status, exec and down see it; a lab being built is
 * never unknown), unregistered when it ends.
 */
export function startSandbox(
  cliArgs: string[],
  o: { lab: SandboxLab; stdio: StdioOptions; env?: Record<string, string>; outliveParent?: boolean },
): SandboxProcess {
  const started = new Date().toISOString();
  const child = spawnProcess(sandboxArgv(cliArgs, o), {
    env: { ...o.env, [SANDBOX_ENV]: '1' },
    stdio: o.stdio,
    ownSession: true,
  });
  child.stdin?.on('error', () => {
    /* it ended before reading: its exit code says why */
  });
  const pids = () => {
    const holderPid = innerPid(child.pid);
    return holderPid && child.pid ? { unsharePid: child.pid, holderPid } : undefined;
  };
  const register = (p: DetachedSandbox) => registerLab({ ...o.lab, mode: 'sandbox', started, ...p });
  const poll = setInterval(() => {
    const p = pids();
    if (!p) return;
    clearInterval(poll);
    register(p);
  }, 20);
  const ended = () => {
    clearInterval(poll);
    unregisterLab(o.lab.runId);
  };
  child.on('exit', ended);
  return {
    child,
    pids,
    signal(sig) {
      const inner = innerPid(child.pid);
      try {
        if (inner) process.kill(inner, sig);
        else child.kill('SIGKILL');
      } catch {
        /* it has just ended */
      }
    },
    leave() {
      clearInterval(poll);
      child.off('exit', ended);
      const p = pids();
      if (p) register(p);
    },
  };
}

/** A sandbox whose inside (the hidden command `inside`) takes the handover, written to its stdin. */
function startWithHandover(
  lab: SandboxLab,
  handover: Handover,
  stdio: StdioOptions,
  outliveParent = false,
): SandboxProcess {
  const box = startSandbox([INSIDE_COMMAND, handover.command, handover.scenario], { lab, stdio, outliveParent });
  // counted after the spawn: the sandbox is one of the outside's processes
  box.child.stdin!.end(JSON.stringify({ ...handover, spawnedOutside: spawnedProcesses() }));
  return box;
}

/**
 * Enters a sandbox in the foreground: the process inside runs the handover and tears down and exits
 * on the signals forwarded to it. The sandbox is a session of its own: a terminal's Ctrl-C goes to
 * this process's group alone and is forwarded once (in the group, the process inside got it twice
 * and said "SIGINT again", issue 22).
 */
export async function enterSandbox(lab: SandboxLab, handover: Handover): Promise<number> {
  const box = startWithHandover(lab, handover, ['pipe', 'inherit', 'inherit']);
  // SIGHUP goes in as SIGTERM (the run tears down on that); the exit code tells the signal this process got
  let received: NodeJS.Signals | undefined;
  const release = onSignals(STOP_SIGNALS, (sig) => {
    received ??= sig;
    box.signal(sig === 'SIGHUP' ? 'SIGTERM' : sig);
  });
  try {
    const exit = await new Promise<number>((resolve) =>
      box.child.on('exit', (code, signal) => resolve(childExit(code, signal))),
    );
    return received && isSignalExit(exit) ? signalExit(received) : exit;
  } finally {
    release();
  }
}

/**
 * `zonlab up`: a sandbox that outlives this process. Resolves when the inside prints the ready line
 * and holds the lab until SIGTERM; its progress and errors (stderr) go to `onOutput` until then.
 */
export function detachSandbox(
  lab: SandboxLab,
  handover: Handover,
  onOutput: (text: string) => void,
): Promise<DetachedSandbox> {
  const box = startWithHandover(lab, handover, ['pipe', 'pipe', 'pipe'], true);
  const { child } = box;
  const release = onSignals(['SIGINT', 'SIGTERM'], (sig) => box.signal(sig));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stderr!.setEncoding('utf8').on('data', onOutput);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buffered += d;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line !== READY_LINE) {
          onOutput(`${line}\n`);
          continue;
        }
        release();
        const pids = box.pids();
        if (!pids) return reject(new Error('the sandbox is up but its process could not be found'));
        box.leave();
        child.stdout!.destroy();
        child.stderr!.destroy();
        child.unref();
        return resolve(pids);
      }
    });
    child.on('exit', (code, signal) => {
      release();
      reject(
        Object.assign(new Error(`the sandbox exited with ${code ?? signal}`), { exitCode: childExit(code, signal) }),
      );
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
  return ['nsenter', '--target', String(holderPid), '--mount', '--net', '--pid', '--', ...inNetns(cmd, netns)];
}

/** `zonlab exec`: a command on our terminal, in a namespace of the sandbox the holder holds; its exit code. */
export function execInSandbox(holderPid: number, netns: string | undefined, cmd: string[]): Promise<number> {
  return runOnTerminal(nsenterArgv(holderPid, netns, cmd));
}

/**
 * `zonlab down`: signals only the very processes the registry recorded (pid and start time), never
 * a reused pid; the holder tears down on SIGTERM, and the kernel reclaims what it leaves.
 */
export async function stopSandbox(lab: LabEntry): Promise<void> {
  const holder = { pid: lab.holderPid, start: lab.holderStart };
  signalProcess(holder, 'SIGTERM');
  // unshare ends with its child, passing on its exit code (143 for a run): a SIGKILL meanwhile made it 137
  const unshare = { pid: lab.unsharePid, start: lab.unshareStart };
  if (await untilEnded([holder], 30_000)) await untilEnded([unshare], 5_000);
  // a holder that does not stop in time is killed: the kernel reclaims its sandbox all the same
  signalProcess(unshare, 'SIGKILL');
  signalProcess(holder, 'SIGKILL');
  unregisterLab(lab.runId);
}
