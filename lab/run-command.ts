import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { childExit } from './errors.js';
import { inNetns } from './net.js';

/** The one place that spawns processes: argument arrays (never shell text), a namespace, a timeout, errors that say why first. */
export interface CommandOptions {
  /** Named network namespace; undefined is the lab's default namespace. */
  netns?: string;
  input?: string;
  timeoutMs?: number;
  /** Return the result instead of throwing when the command fails. */
  reject?: boolean;
  env?: Record<string, string>;
  /** Each chunk of its stderr as it comes (it is kept in the result all the same). */
  onStderr?(chunk: string): void;
}

export interface CommandResult {
  argv: string[];
  netns?: string;
  exitCode: number | undefined;
  signal?: string;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  failed: boolean;
}

type Logger = (line: string) => void;

let verboseLog: Logger | undefined;

/**
 * System tools come from the system: npm puts node_modules/.bin first on PATH, and there a
 * package's `nft` (@vercel/nft, pulled in by ava) shadows nftables' nft.
 */
export function systemPath(path = process.env.PATH ?? ''): string {
  return (
    path
      .split(':')
      .filter((d) => d && !d.includes('node_modules'))
      .join(':') || '/usr/sbin:/usr/bin:/sbin:/bin'
  );
}

function childEnv(extra?: Record<string, string>): Record<string, string> {
  const env = { ...(process.env as Record<string, string>), ...extra };
  return { ...env, PATH: systemPath(env.PATH) };
}
let spawnCount = 0;

export function setVerbose(log: Logger | undefined): void {
  verboseLog = log;
}

/** How many processes this process has spawned (a sandbox's inside: with those of its outside); `--verbose` reports it. */
export function spawnedProcesses(): number {
  return spawnCount;
}

/** Processes another process spawned for this command: a sandbox's outside, before its inside began. */
export function noteSpawned(n: number): void {
  spawnCount += n;
}

let netlinkCount = 0;

/** The engine's netlink requests (lab/netlink/), which stand in for `ip` processes. */
export function noteNetlinkRequests(n: number): void {
  netlinkCount += n;
}

export function netlinkRequests(): number {
  return netlinkCount;
}

/** What --verbose prints for work that runs no process (netlink requests). */
export function verboseLine(line: string): void {
  verboseLog?.(line);
}

export class CommandError extends Error {
  constructor(readonly result: CommandResult) {
    super(describeFailure(result));
    this.name = 'CommandError';
  }
}

export function describeFailure(r: CommandResult): string {
  const cmd = `${r.netns ? `[netns ${r.netns}] ` : ''}${r.argv.join(' ')}`;
  let why: string;
  if (r.timedOut) why = 'timed out';
  else if (r.signal) why = `killed by ${r.signal}`;
  else if (r.exitCode === 127) why = 'command not found';
  else if (r.exitCode === 126) why = 'not executable';
  else if (r.exitCode === undefined) why = 'could not start';
  else why = `exit code ${r.exitCode}`;
  const stderr = r.stderr.trim().split('\n').slice(-5).join(' | ');
  return `${cmd}: ${why}${stderr ? `: ${stderr}` : ''} (${Math.round(r.durationMs)} ms)`;
}

export async function runCommand(argv: string[], options: CommandOptions = {}): Promise<CommandResult> {
  const full = inNetns(argv, options.netns);
  spawnCount++;
  verboseLog?.(`$ ${options.netns ? `[${options.netns}] ` : ''}${argv.join(' ')}`);
  const proc = spawnChild(
    full,
    argv,
    options,
    options.input === undefined ? 'ignore' : 'pipe',
    options.timeoutMs ?? 30_000,
  );
  if (options.input !== undefined) proc.child?.stdin?.end(options.input);
  const result = await proc.done;
  if (result.failed && options.reject !== false) throw new CommandError(result);
  return result;
}

interface Spawned {
  /** None when the program could not be started at all (done says why). */
  child?: ChildProcess;
  out: { stdout: string; stderr: string };
  done: Promise<CommandResult>;
}

/** node:child_process, not execa: `up`/`down` start faster without loading it (scripts/bench-engine.mjs). Never throws. */
function spawnChild(
  full: string[],
  argv: string[],
  options: CommandOptions,
  stdin: 'ignore' | 'pipe',
  timeoutMs: number | undefined,
): Spawned {
  const start = performance.now();
  const out = { stdout: '', stderr: '' };
  const result = (
    exitCode: number | undefined,
    signal: string | undefined,
    timedOut: boolean,
    why = '',
  ): CommandResult => ({
    argv,
    netns: options.netns,
    exitCode,
    signal,
    stdout: out.stdout,
    stderr: out.stderr || why,
    durationMs: performance.now() - start,
    timedOut,
    failed: timedOut || exitCode !== 0,
  });
  // 127 and 126 as a shell says them; anything else (EAGAIN, EMFILE) is "could not start"
  const startFailure = (err: NodeJS.ErrnoException) =>
    result(
      err.code === 'ENOENT' ? 127 : err.code === 'EACCES' ? 126 : undefined,
      undefined,
      false,
      `${full[0]}: ${err.message}`,
    );
  let child: ChildProcess;
  try {
    child = spawn(full[0]!, full.slice(1), { stdio: [stdin, 'pipe', 'pipe'], env: childEnv(options.env) });
  } catch (err) {
    return { out, done: Promise.resolve(startFailure(err as NodeJS.ErrnoException)) };
  }
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out.stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    out.stderr += d;
    options.onStderr?.(d);
  });
  child.stdin?.on('error', () => {
    /* the process may exit before reading its input */
  });
  let timedOut = false;
  let forceKill: NodeJS.Timeout | undefined;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
          forceKill = setTimeout(() => child.kill('SIGKILL'), 2_000);
        }, timeoutMs);
  const done = new Promise<CommandResult>((resolve) => {
    let spawnError: NodeJS.ErrnoException | undefined;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const finish = () => {
      clearTimeout(timer);
      clearTimeout(forceKill);
      // a program that could not be started has no pid
      if (spawnError && child.pid === undefined) return resolve(startFailure(spawnError));
      resolve(result(exited?.code ?? undefined, exited?.signal ?? undefined, timedOut));
    };
    child.on('error', (err) => {
      spawnError = err;
    });
    // 'close' comes once stdout and stderr are read to their end; a child of the command that keeps
    // them open (a daemon) must not hold us: after its exit, the rest of its output gets a moment
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, 500).unref();
    });
    child.on('close', finish);
  });
  return { child, out, done };
}

/** A long-running process (server or client) that the caller stops. */
export interface BackgroundProcess {
  argv: string[];
  netns?: string;
  pid: number | undefined;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  write(text: string): void;
  closeInput(): void;
  /** Resolves when the process has exited, with its result (never throws). */
  done: Promise<CommandResult>;
  /** Passes a signal on and lets the process take its time (a zonlab run tears down on SIGINT). */
  signal(signal: NodeJS.Signals): void;
  stop(signal?: NodeJS.Signals): Promise<CommandResult>;
}

const live = new Set<{ proc: BackgroundProcess; child: ChildProcess }>();

/** Ctrl-C and SIGTERM stop every server and client at once, so the run can tear down. */
export async function stopAllBackground(): Promise<void> {
  await Promise.all([...live].map((p) => p.proc.stop()));
}

// a server must not outlive us even when we exit without stopping it (an uncaught error)
process.on('exit', () => {
  for (const { child } of live) child.kill('SIGKILL');
});

export function startBackground(argv: string[], options: CommandOptions = {}): BackgroundProcess {
  const full = inNetns(argv, options.netns);
  spawnCount++;
  verboseLog?.(`& ${options.netns ? `[${options.netns}] ` : ''}${argv.join(' ')}`);
  const { child, out, done } = spawnChild(full, argv, options, 'pipe', options.timeoutMs);
  const proc: BackgroundProcess = {
    argv,
    netns: options.netns,
    pid: child?.pid,
    output: () => ({ ...out }),
    write: (text) => {
      child?.stdin?.write(text);
    },
    closeInput: () => {
      child?.stdin?.end();
    },
    done,
    signal: (signal) => {
      child?.kill(signal);
    },
    async stop(signal = 'SIGTERM') {
      child?.kill(signal);
      const timer = setTimeout(() => child?.kill('SIGKILL'), 2_000);
      try {
        return await done;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  if (child) {
    const entry = { proc, child };
    live.add(entry);
    void done.then(() => live.delete(entry));
  }
  return proc;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  /** Default: our terminal's (stdio inherited). */
  stdio?: StdioOptions;
  /**
   * A session of its own: the terminal's Ctrl-C reaches this process alone (which forwards it
   * once), not the child too; with stdio that is not inherited, the child can outlive us.
   */
  ownSession?: boolean;
}

/**
 * A child whose life and stdio the caller manages (the sandbox, `zonlab exec`, a scenario's run
 * under `run --all`): counted and logged as every other. Signals are the caller's to forward.
 */
export function spawnProcess(argv: string[], o: SpawnOptions = {}): ChildProcess {
  spawnCount++;
  verboseLog?.(`$ ${argv.join(' ')}`);
  return spawn(argv[0]!, argv.slice(1), {
    stdio: o.stdio ?? 'inherit',
    detached: o.ownSession ?? false,
    env: childEnv(o.env),
  });
}

/** A command's stdout, trimmed ('' when it fails), synchronously: for the leak audit's snapshot, a synchronous function. */
export function readCommandSync(argv: string[]): string {
  spawnCount++;
  verboseLog?.(`$ ${argv.join(' ')}`);
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    env: childEnv(),
  });
  return r.status === 0 ? r.stdout.trim() : '';
}

/** A command on our terminal (`zonlab exec`): its exit code, or 128 + the signal that ended it. */
export function runOnTerminal(argv: string[]): Promise<number> {
  const child = spawnProcess(argv);
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(childExit(code, signal))));
}
