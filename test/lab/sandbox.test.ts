import test from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { innerPid, insideSandbox, iprouteBpffs, nsenterArgv, sandboxArgv, SANDBOX_ENV, UNSHARE } from '../../lab/sandbox.js';

/** The sandbox's command lines and its inner process, without entering one. */
test('the CLI again inside new namespaces, tied to this process unless it must outlive it', (t) => {
  const self = [process.execPath, ...process.execArgv, process.argv[1]!];
  t.deepEqual(sandboxArgv(['run', 'x']), ['setpriv', '--pdeathsig', 'SIGKILL', '--', ...UNSHARE, '--', ...self, 'run', 'x']);
  t.deepEqual(sandboxArgv(['up', 'x'], { outliveParent: true }), [...UNSHARE, '--', ...self, 'up', 'x']);
  for (const ns of ['--net', '--mount', '--pid', '--fork', '--kill-child']) t.true(UNSHARE.includes(ns), ns);
});

test('a command in a held sandbox: its namespaces by its holder\'s pid, and a lab namespace through ip netns exec', (t) => {
  t.deepEqual(nsenterArgv(42, undefined, ['ss', '-tln']), ['nsenter', '--target', '42', '--mount', '--net', '--pid', '--', 'ss', '-tln']);
  t.deepEqual(nsenterArgv(42, 'zone1', ['ping', '-c1', '10.0.0.1']), ['nsenter', '--target', '42', '--mount', '--net', '--pid', '--', 'ip', 'netns', 'exec', 'zone1', 'ping', '-c1', '10.0.0.1']);
});

test('inside a sandbox is what its environment says; iproute2\'s bpffs is under the state folder', (t) => {
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
  t.teardown(() => { try { process.kill(parent.pid!, 'SIGKILL'); } catch { /* gone */ } });
  let inner: number | undefined;
  for (let i = 0; i < 200 && !inner; i++) {
    inner = innerPid(parent.pid);
    if (!inner) await new Promise((r) => setTimeout(r, 20));
  }
  t.truthy(inner);
  // the child is a fork of sh until it execs sleep: wait for the exec, not a fixed time
  let comm = '';
  for (let i = 0; i < 200 && comm !== 'sleep'; i++) {
    comm = readFileSync(`/proc/${inner}/comm`, 'utf8').trim();
    if (comm !== 'sleep') await new Promise((r) => setTimeout(r, 20));
  }
  t.is(comm, 'sleep');
  t.is(innerPid(inner), undefined, 'sleep has no child');
  process.kill(inner!, 'SIGKILL');
  await new Promise((r) => parent.once('exit', r));
  t.is(innerPid(parent.pid), undefined, 'a process that is gone has none');
});
