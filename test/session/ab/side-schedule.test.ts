import test from 'ava';
import { PassThrough } from 'node:stream';
import type { CheckOutcome } from '../../../src/checks/outcome.js';
import type { Scenario } from '../../../src/scenario/types.js';
import { parseRequest, sideSchedule, type Reply } from '../../../src/session/ab/side-schedule.js';

const scenario = {
  checks: [
    { name: 'ping', kind: 'ping' },
    { name: 'tp1', kind: 'iperf3' },
    { name: 'tp2', kind: 'iperf' },
  ],
} as unknown as Scenario;
const outcome = (name: string, status: 'passed' | 'failed', v?: number): CheckOutcome => ({
  name,
  kind: 'iperf3',
  status,
  summary: `${name} ${status}`,
  evidence: {},
  durationMs: 1,
  ...(v === undefined ? {} : { measurements: { bits_per_second: v } }),
});

/** Runs the schedule as runScenario would: each step run (here: made up) and told back. */
async function drive(requests: string[], fail?: string) {
  const input = new PassThrough();
  const replies: Reply[] = [];
  const sched = sideSchedule(scenario, input, (r) => replies.push(r));
  const steps: string[] = [];
  for (const l of requests) input.write(`${l}\n`);
  input.end();
  for await (const s of sched.steps() as AsyncIterable<{ check: { name: string }; repetition?: number }>) {
    steps.push(`${s.check.name}${s.repetition === undefined ? '' : `#${s.repetition}`}`);
    sched.done(
      s.check.name,
      outcome(
        s.check.name,
        s.check.name === fail ? 'failed' : 'passed',
        s.repetition === undefined ? undefined : s.repetition * 10,
      ),
    );
  }
  return { steps, replies, summary: sched.summary() };
}

test('the other checks once, ready, then per request one sample of every throughput check, until end', async (t) => {
  const { steps, replies, summary } = await drive(['{"round":1}', '{"round":2}', '{"end":true}', '{"round":3}']);
  t.deepEqual(steps, ['ping', 'tp1#1', 'tp2#1', 'tp1#2', 'tp2#2']);
  t.deepEqual(
    replies.map((r) => r.type),
    ['ready', 'sample', 'sample'],
  );
  const s2 = replies[2] as Extract<Reply, { type: 'sample' }>;
  t.is(s2.round, 2);
  t.deepEqual(s2.figures, { tp1: { bits_per_second: 20 }, tp2: { bits_per_second: 20 } });
  t.is(summary.count, 2);
});

test('the parent gone (its pipe closed) ends the side as "end" does', async (t) => {
  const { steps } = await drive(['{"round":1}']);
  t.deepEqual(steps, ['ping', 'tp1#1', 'tp2#1']);
});

test('a failed check before sampling: ready says so and no round is run', async (t) => {
  const { steps, replies } = await drive(['{"round":1}'], 'ping');
  t.deepEqual(steps, ['ping']);
  t.deepEqual(replies, [{ type: 'ready', checks: [{ name: 'ping', status: 'failed', summary: 'ping failed' }] }]);
});

test('a failed sample is reported with its summary, not as a figure', async (t) => {
  const { replies } = await drive(['{"round":1}'], 'tp2');
  const s = replies[1] as Extract<Reply, { type: 'sample' }>;
  t.deepEqual(Object.keys(s.figures), ['tp1']);
  t.deepEqual(s.failed, [{ name: 'tp2', summary: 'tp2 failed' }]);
});

test('requests: a round is a whole number from 1; anything else is no request', (t) => {
  t.deepEqual(parseRequest('{"round":3}'), { round: 3 });
  t.deepEqual(parseRequest('{"end":true}'), { end: true });
  for (const bad of ['{"round":0}', '{"round":1.5}', '{"round":"2"}', 'round 1', '', '{"end":1}'])
    t.is(parseRequest(bad), undefined, bad);
});
