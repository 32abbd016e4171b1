import test from 'ava';
import { onSignals, untilSignal } from '../../lab/signals.js';

// process.emit calls the listeners as a delivered signal would, without sending one to the test runner
const deliver = (sig: NodeJS.Signals) => (process.emit as (e: string) => boolean)(sig);

test.serial('onSignals calls its handler with each signal until released, and then never', (t) => {
  const seen: string[] = [];
  const before = process.listenerCount('SIGUSR2');
  const release = onSignals(['SIGUSR2', 'SIGWINCH'], (sig) => seen.push(sig));
  deliver('SIGUSR2');
  deliver('SIGWINCH');
  deliver('SIGUSR2');
  release();
  deliver('SIGUSR2');
  t.deepEqual(seen, ['SIGUSR2', 'SIGWINCH', 'SIGUSR2']);
  t.is(process.listenerCount('SIGUSR2'), before);
  t.is(process.listenerCount('SIGWINCH'), 0);
});

test.serial('untilSignal resolves with the first signal and leaves no listener behind', async (t) => {
  const waiting = untilSignal(['SIGUSR2', 'SIGWINCH']);
  t.is(process.listenerCount('SIGWINCH'), 1);
  deliver('SIGWINCH');
  deliver('SIGUSR2');
  t.is(await waiting, 'SIGWINCH');
  t.is(process.listenerCount('SIGUSR2'), 0);
  t.is(process.listenerCount('SIGWINCH'), 0);
});
