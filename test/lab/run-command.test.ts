import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CommandError,
  describeFailure,
  noteSpawned,
  runCommand,
  runOnTerminal,
  spawnedProcesses,
  spawnProcess,
  startBackground,
} from '../../lab/run-command.js';

test('a command that fails says why in its first words, with what it printed', async (t) => {
  const r = await runCommand(['sh', '-c', 'echo out; echo "it broke" >&2; exit 3'], { reject: false });
  t.like(r, { exitCode: 3, failed: true, timedOut: false, stdout: 'out\n', stderr: 'it broke\n' });
  t.regex(describeFailure(r), /^sh -c .*: exit code 3: it broke \(\d+ ms\)$/);
  const err = await t.throwsAsync(runCommand(['sh', '-c', 'exit 4']), { instanceOf: CommandError });
  t.is(err?.result.exitCode, 4);
});

test('a program that does not exist is "command not found" (127), not a crash', async (t) => {
  const r = await runCommand(['zonlab-no-such-program'], { reject: false });
  t.like(r, { exitCode: 127, failed: true });
  t.regex(describeFailure(r), /command not found: .*ENOENT/);
});

test('input reaches the command; a timeout ends it and says so', async (t) => {
  t.is((await runCommand(['cat'], { input: 'line one\nline two\n' })).stdout, 'line one\nline two\n');
  const r = await runCommand(['sleep', '30'], { timeoutMs: 100, reject: false });
  t.like(r, { timedOut: true, failed: true, signal: 'SIGTERM' });
  t.regex(describeFailure(r), /sleep 30: timed out/);
});

test("system tools are looked up without node_modules/.bin on PATH (ava's @vercel/nft ships an `nft`)", async (t) => {
  const r = await runCommand(['sh', '-c', 'echo "$PATH"'], {
    env: { PATH: `/x/node_modules/.bin:${process.env.PATH}` },
  });
  t.false(r.stdout.includes('node_modules'));
});

test.serial('a background process is written to, read from and stopped; every spawn is counted', async (t) => {
  const before = spawnedProcesses();
  const cat = startBackground(['cat']);
  cat.write('hello\n');
  cat.closeInput();
  t.like(await cat.done, { exitCode: 0, stdout: 'hello\n' });
  const sleeper = startBackground(['sleep', '30']);
  t.like(await sleeper.stop(), { signal: 'SIGTERM', failed: true });
  t.is(spawnedProcesses() - before, 2);
});

test.serial(
  "a process on our terminal, one the caller manages and a sandbox outside's are counted too; a background one streams its stderr",
  async (t) => {
    const before = spawnedProcesses();
    t.is(await runOnTerminal(['sh', '-c', 'exit 5']), 5);
    t.is(await runOnTerminal(['sh', '-c', 'kill -TERM $$']), 143);
    const child = spawnProcess(['true'], { stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    noteSpawned(3);
    t.is(spawnedProcesses() - before, 6);
    const chunks: string[] = [];
    const r = await startBackground(['sh', '-c', 'echo one >&2; echo two >&2'], { onStderr: (d) => chunks.push(d) })
      .done;
    t.is(chunks.join(''), 'one\ntwo\n');
    t.is(r.stderr, 'one\ntwo\n');
  },
);

test('a program that cannot be started for another reason is a failed result, never a throw', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-run-command-'));
  const file = path.join(dir, 'not-executable');
  writeFileSync(file, '#!/bin/sh\n', { mode: 0o644 });
  const notExecutable = await runCommand([file], { reject: false });
  rmSync(dir, { recursive: true, force: true });
  t.like(notExecutable, { exitCode: 126, failed: true });
  t.regex(describeFailure(notExecutable), /not executable/);
  // spawn refuses this argv before any process exists
  const r = await runCommand(['echo', 'a\0b'], { reject: false });
  t.like(r, { exitCode: undefined, failed: true });
  t.regex(describeFailure(r), /could not start/);
  const bg = startBackground(['echo', 'a\0b']);
  t.is(bg.pid, undefined);
  t.like(await bg.stop(), { failed: true });
});

test('a command whose own child keeps its output open still ends with the command', async (t) => {
  // the background sleep inherits stdout and outlives sh: the result must not wait for it
  const r = await runCommand(['sh', '-c', 'sleep 30 & echo $!'], { timeoutMs: 20_000, reject: false });
  const sleeper = Number(r.stdout.trim());
  try {
    process.kill(sleeper, 'SIGKILL');
  } catch {
    /* gone already */
  }
  t.like(r, { exitCode: 0, failed: false, timedOut: false });
  t.true(Number.isInteger(sleeper) && sleeper > 0, r.stdout);
});
