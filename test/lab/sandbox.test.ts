import test from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ExitCode } from '../../src/errors.js';
import {
  innerPid,
  insideSandbox,
  INSIDE_COMMAND,
  iprouteBpffs,
  nsenterArgv,
  sandboxArgv,
  SANDBOX_ENV,
  UNSHARE,
} from '../../lab/sandbox.js';
import { rootGated } from '../helpers/gated.js';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const { concurrent, title } = rootGated();

/** The sandbox's command lines and its inner process, without entering one. */
test('the CLI again inside new namespaces, tied to this process unless it must outlive it', (t) => {
  const self = [process.execPath, ...process.execArgv, process.argv[1]!];
  t.deepEqual(sandboxArgv(['run', 'x']), [
    'setpriv',
    '--pdeathsig',
    'SIGKILL',
    '--',
    ...UNSHARE,
    '--',
    ...self,
    'run',
    'x',
  ]);
  t.deepEqual(sandboxArgv(['up', 'x'], { outliveParent: true }), [...UNSHARE, '--', ...self, 'up', 'x']);
  for (const ns of ['--net', '--mount', '--pid', '--fork', '--kill-child']) t.true(UNSHARE.includes(ns), ns);
});

test("a command in a held sandbox: its namespaces by its holder's pid, and a lab namespace through ip netns exec", (t) => {
  t.deepEqual(nsenterArgv(42, undefined, ['ss', '-tln']), [
    'nsenter',
    '--target',
    '42',
    '--mount',
    '--net',
    '--pid',
    '--',
    'ss',
    '-tln',
  ]);
  t.deepEqual(nsenterArgv(42, 'zone1', ['ping', '-c1', '10.0.0.1']), [
    'nsenter',
    '--target',
    '42',
    '--mount',
    '--net',
    '--pid',
    '--',
    'ip',
    'netns',
    'exec',
    'zone1',
    'ping',
    '-c1',
    '10.0.0.1',
  ]);
});

test("inside a sandbox is what its environment says; iproute2's bpffs is under the state folder", (t) => {
  const was = process.env[SANDBOX_ENV];
  try {
    process.env[SANDBOX_ENV] = '1';
    t.true(insideSandbox());
    process.env[SANDBOX_ENV] = '0';
    t.false(insideSandbox());
  } finally {
    if (was === undefined) delete process.env[SANDBOX_ENV];
    else process.env[SANDBOX_ENV] = was;
  }
  const state = process.env.ZONLAB_STATE;
  try {
    process.env.ZONLAB_STATE = '/tmp/zonlab-state-x';
    t.is(iprouteBpffs(), path.join('/tmp/zonlab-state-x', 'bpffs'));
  } finally {
    if (state === undefined) delete process.env.ZONLAB_STATE;
    else process.env.ZONLAB_STATE = state;
  }
});

test('the inner process is the one unshare forked: its first child, none before it forks', async (t) => {
  t.is(innerPid(undefined), undefined);
  t.is(innerPid(0), undefined);
  // sh stands in for unshare: it forks sleep and waits for it
  const parent = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
  t.teardown(() => {
    try {
      process.kill(parent.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  });
  // the child is sh's fork until it has exec'd sleep (seen under load): wait for sleep itself
  const comm = (pid: number | undefined) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  let inner: number | undefined;
  for (let i = 0; i < 500 && comm(inner) !== 'sleep'; i++) {
    inner = innerPid(parent.pid);
    if (comm(inner) !== 'sleep') await new Promise((r) => setTimeout(r, 20));
  }
  t.truthy(inner);
  t.is(comm(inner), 'sleep');
  t.is(innerPid(inner), undefined, 'sleep has no child');
  process.kill(inner!, 'SIGKILL');
  await new Promise((r) => parent.once('exit', r));
  t.is(innerPid(parent.pid), undefined, 'a process that is gone has none');
});

/**
 * A stray ZONLAB_SANDBOX=1 (a shell that kept it) must not make `inside` mount over /run and build
 * a lab where it stands. It stands in a throwaway net and mount namespace here, so that without the
 * check (seen once) what it does is lost with them: it went on and died on the handover (exit 70).
 */
concurrent(
  title('zonlab inside, run outside the sandbox a run makes, is refused before it reads or mounts anything'),
  async (t) => {
    const handover = JSON.stringify({
      command: 'run',
      scenario: 'x',
      args: {},
      plan: { driver: 'none' },
      results: '/nonexistent',
    });
    const r = await execa(
      'unshare',
      ['--net', '--mount', '--propagation', 'private', '--', process.execPath, cli, INSIDE_COMMAND, 'run', 'x'],
      {
        reject: false,
        input: handover,
        env: { [SANDBOX_ENV]: '1', NO_COLOR: '1' },
      },
    );
    t.is(r.exitCode, ExitCode.badInput, r.stderr);
    t.regex(r.stderr, /runs only in the sandbox they make/);
  },
);
