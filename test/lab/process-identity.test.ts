import test from 'ava';
import { spawn } from 'node:child_process';
import { isSameProcess, processRef, processStart, signalProcess } from '../../lab/process-identity.js';

test('a process is named by its pid and start time; a reused pid (another start time) is not it', (t) => {
  const self = processRef(process.pid)!;
  t.regex(self.start, /^\d+$/);
  t.true(isSameProcess(self));
  t.false(isSameProcess({ pid: process.pid, start: String(Number(self.start) + 1) }));
  t.false(isSameProcess({ pid: process.pid }), 'a record without a start time is never taken for the process');
  t.is(processStart(0), undefined);
  t.is(processStart(2 ** 22 + 1), undefined);
});

test('a signal goes only to the very process recorded, never to a process that took its pid', async (t) => {
  const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
  const ended = new Promise<string | null>((resolve) => sleeper.on('exit', (_code, sig) => resolve(sig)));
  const real = processRef(sleeper.pid)!;
  t.false(signalProcess({ pid: real.pid, start: String(Number(real.start) - 1) }, 'SIGTERM'));
  t.false(signalProcess({ pid: real.pid }, 'SIGTERM'));
  t.true(isSameProcess(real), 'still running');
  t.true(signalProcess(real, 'SIGTERM'));
  t.is(await ended, 'SIGTERM');
  t.false(isSameProcess(real), 'ended (its zombie, if any, counts as ended)');
});
