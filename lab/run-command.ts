import { execa, type ResultPromise } from 'execa';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/**
 * The one place that spawns processes. Everything is an argument array (never a shell string),
 * optionally inside a named network namespace, with a timeout, verbose logging, and errors that
 * say why in their first line.
 */
export interface CommandOptions {
  /** Named network namespace; undefined is the lab's default namespace. */
  netns?: string;
  input?: string;
  timeoutMs?: number;
  /** Return the result instead of throwing when the command fails. */
  reject?: boolean;
  env?: Record<string, string>;
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
  return path.split(':').filter((d) => d && !d.includes('node_modules')).join(':') || '/usr/sbin:/usr/bin:/sbin:/bin';
}

function childEnv(extra?: Record<string, string>): Record<string, string> {
  return { ...(process.env as Record<string, string>), PATH: systemPath(), ...extra };
}
let spawnCount = 0;

export function setVerbose(log: Logger | undefined): void {
  verboseLog = log;
}

/** How many processes this process has spawned; `--verbose` reports it. */
export function spawnedProcesses(): number {
  return spawnCount;
}

/** Commands in a namespace run through `ip netns exec`, which also gives them that namespace's /sys. */
export function inNetns(argv: string[], netns?: string): string[] {
  return netns === undefined ? argv : ['ip', 'netns', 'exec', netns, ...argv];
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
  else why = `exit code ${r.exitCode}`;
  const stderr = r.stderr.trim().split('\n').slice(-5).join(' | ');
  return `${cmd}: ${why}${stderr ? `: ${stderr}` : ''} (${Math.round(r.durationMs)} ms)`;
}

export async function runCommand(argv: string[], options: CommandOptions = {}): Promise<CommandResult> {
  const full = inNetns(argv, options.netns);
  spawnCount++;
  verboseLog?.(`$ ${options.netns ? `[${options.netns}] ` : ''}${argv.join(' ')}`);
  const start = performance.now();
  const r = await execa(full[0]!, full.slice(1), {
    input: options.input,
    timeout: options.timeoutMs ?? 30_000,
    reject: false,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    env: childEnv(options.env),
    extendEnv: false,
    stripFinalNewline: false,
  });
  const result: CommandResult = {
    argv,
    netns: options.netns,
    exitCode: r.exitCode,
    signal: r.signal,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    durationMs: performance.now() - start,
    timedOut: Boolean(r.timedOut),
    failed: Boolean(r.failed),
  };
  if (r.failed && r.exitCode === undefined && !r.signal && !r.timedOut) {
    // spawn itself failed (ENOENT): execa reports it in the message, not as an exit code
    result.exitCode = 127;
    result.stderr ||= String(r.message ?? '');
  }
  if (result.failed && options.reject !== false) throw new CommandError(result);
  return result;
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
  stop(signal?: NodeJS.Signals): Promise<CommandResult>;
}

const live = new Set<BackgroundProcess>();

/** Ctrl-C and SIGTERM stop every server and client at once, so the run can tear down. */
export async function stopAllBackground(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop()));
}

export function startBackground(argv: string[], options: CommandOptions = {}): BackgroundProcess {
  const full = inNetns(argv, options.netns);
  spawnCount++;
  verboseLog?.(`& ${options.netns ? `[${options.netns}] ` : ''}${argv.join(' ')}`);
  const start = performance.now();
  let stdout = '';
  let stderr = '';
  const child: ResultPromise = execa(full[0]!, full.slice(1), {
    reject: false,
    stdin: 'pipe',
    buffer: false,
    timeout: options.timeoutMs,
    env: childEnv(options.env),
    extendEnv: false,
    // the server must die with us even if we are killed: it stays in our process group
    cleanup: true,
  });
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => { stdout += d; });
  child.stderr?.on('data', (d: string) => { stderr += d; });
  child.stdin?.on('error', () => { /* the process may exit before reading its input */ });
  const done: Promise<CommandResult> = child.then((r) => ({
    argv,
    netns: options.netns,
    exitCode: r.exitCode,
    signal: r.signal,
    stdout,
    stderr: stderr || (r.failed && r.exitCode === undefined ? String(r.message ?? '') : ''),
    durationMs: performance.now() - start,
    timedOut: Boolean(r.timedOut),
    failed: Boolean(r.failed),
  }));
  const proc: BackgroundProcess = {
    argv,
    netns: options.netns,
    pid: child.pid,
    output: () => ({ stdout, stderr }),
    write: (text) => { child.stdin?.write(text); },
    closeInput: () => { child.stdin?.end(); },
    done,
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      try { return await done; } finally { clearTimeout(timer); }
    },
  };
  live.add(proc);
  void done.then(() => live.delete(proc));
  return proc;
}

/**
 * A child that shares our terminal (the sandboxed run, `zonlab exec`): stdio inherited, its exit
 * code returned. Signals are the caller's to forward.
 */
export function spawnInherited(argv: string[], env: Record<string, string> = {}): import('node:child_process').ChildProcess {
  spawnCount++;
  verboseLog?.(`$ ${argv.join(' ')}`);
  return spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env: childEnv(env) });
}
