import test from 'ava';
import {
  autoDecision,
  AUTO_FIRST_LOOK,
  runLooks,
  type AutoDecision,
  type StopReason,
} from '../../src/stats/adaptive.js';
import { prng } from '../../src/stats/bootstrap.js';
import { compareSamples, judgeUnpaired, lookSchedule } from '../../src/stats/sequential.js';
import type { Verdict } from '../../src/stats/verdict.js';

/** Normal draws (Box–Muller) from a seeded generator: the same stream on every machine. */
function normal(seed: number, mean: number, sd: number): () => number {
  const rand = prng(seed);
  return () => mean + sd * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}
const take = (draw: () => number, n: number) => Array.from({ length: n }, draw);

/** The run loop's use of the policy over a synthetic stream of throughput samples, and the verdict compare draws afterwards. */
function sampleAuto(
  reference: number[] | undefined,
  draw: () => number,
  o: { maxDrop: number; max: number; leftMs?: number },
): { n: number; stop: StopReason; verdict?: Verdict; samples: number[]; lookedAt: number[] } {
  const samples: number[] = [];
  const lookedAt: number[] = [];
  for (let n = 1; ; n++) {
    samples.push(draw());
    const d = autoDecision({
      current: { bits_per_second: samples },
      reference: reference && { bits_per_second: reference },
      n,
      maxDrop: o.maxDrop,
      max: o.max,
      leftMs: o.leftMs ?? Infinity,
      lastMs: 1000,
    });
    if (Object.keys(d.looks).length) lookedAt.push(n);
    const looks = runLooks({ count: n, auto: { max: o.max } });
    if (d.stop)
      return {
        n,
        stop: d.stop,
        verdict:
          reference && judgeUnpaired(reference, samples, { maxDrop: o.maxDrop, direction: 'higher', looks }).verdict,
        samples,
        lookedAt,
      };
  }
}

const GBIT = 1e9;

test('unchanged at a 5% threshold with 4% noise: 5 samples are inconclusive, auto samples on until it is unchanged at a look', (t) => {
  const reference = take(normal(1, 10 * GBIT, 0.4 * GBIT), 20);
  const fixed = compareSamples(reference, take(normal(2, 10 * GBIT, 0.4 * GBIT), 5), 0.05);
  t.is(fixed.verdict, 'inconclusive', fixed.reason);
  const auto = sampleAuto(reference, normal(2, 10 * GBIT, 0.4 * GBIT), { maxDrop: 0.05, max: 40 });
  t.log(`stopped after ${auto.n} samples: ${auto.stop}`);
  t.is(auto.stop, 'conclusive');
  t.is(auto.verdict, 'unchanged');
  t.true(lookSchedule(40).includes(auto.n) && auto.n > 5 && auto.n < 40);
});

test('noise wider than the threshold: auto runs to the cap and stays inconclusive, never regressed', (t) => {
  for (let seed = 10; seed < 16; seed++) {
    const reference = take(normal(seed, 10 * GBIT, 3 * GBIT), 20);
    const auto = sampleAuto(reference, normal(seed + 100, 10 * GBIT, 3 * GBIT), { maxDrop: 0.05, max: 25 });
    t.is(auto.stop, 'max', `seed ${seed}`);
    t.not(auto.verdict, 'regressed', `seed ${seed}`);
    t.is(auto.verdict, 'inconclusive', `seed ${seed}`);
    t.deepEqual(auto.lookedAt, lookSchedule(25), 'it looked only at the planned looks');
  }
});

test('a real 15% drop is called regressed at a look well before the cap: no second look to confirm it (the looks share the error rate instead)', (t) => {
  const reference = take(normal(3, 10 * GBIT, 0.4 * GBIT), 20);
  const auto = sampleAuto(reference, normal(4, 8.5 * GBIT, 0.4 * GBIT), { maxDrop: 0.05, max: 40 });
  t.is(auto.stop, 'conclusive');
  t.is(auto.verdict, 'regressed');
  t.true(lookSchedule(40).includes(auto.n) && auto.n <= 10, `${auto.n}`);
});

test('a cost (lower is better) is judged the other way: a rise is regressed', (t) => {
  const ref = take(normal(5, 200, 8), 20);
  const samples: number[] = [];
  const draw = normal(6, 260, 8);
  let d: AutoDecision = { looks: {} };
  for (let n = 1; !d.stop; n++) {
    samples.push(draw());
    d = autoDecision({
      current: { lb_ns_per_packet: samples },
      reference: { lb_ns_per_packet: ref },
      n,
      maxDrop: 0.1,
      max: 30,
      leftMs: Infinity,
      lastMs: 0,
    });
  }
  t.is(d.stop, 'conclusive');
  t.is(d.looks.lb_ns_per_packet, 'regressed');
});

test('every judged measurement must be clear: a clear throughput waits for a noisy cost', (t) => {
  const ref = { bits_per_second: take(normal(7, 10, 0.1), 20), lb_ns_per_packet: take(normal(8, 200, 60), 20) };
  const now = { bits_per_second: take(normal(9, 10, 0.1), 7), lb_ns_per_packet: take(normal(10, 200, 60), 7) };
  const d = autoDecision({ current: now, reference: ref, n: 7, maxDrop: 0.05, max: 30, leftMs: Infinity, lastMs: 0 });
  t.is(d.looks.bits_per_second, 'unchanged');
  t.is(d.looks.lb_ns_per_packet, 'inconclusive');
  t.is(d.stop, undefined);
});

test('the stopping rule: a verdict only at the planned looks, at once when all are clear, and the caps between looks', (t) => {
  const ref = { bits_per_second: take(normal(11, 10, 0.01), 20) };
  const clear = (n: number) => ({ bits_per_second: take(normal(12, 10, 0.01), n) });
  const st = { reference: ref, maxDrop: 0.05, max: 20, leftMs: Infinity, lastMs: 0 };
  t.deepEqual(autoDecision({ ...st, current: clear(3), n: 3 }), { looks: {} }, 'no look before the first');
  const first = autoDecision({ ...st, current: clear(AUTO_FIRST_LOOK), n: AUTO_FIRST_LOOK });
  t.is(first.looks.bits_per_second, 'unchanged');
  t.is(first.stop, 'conclusive', 'one look is enough: its share of the error rate is what makes it safe');
  for (const n of [6, 8, 9, 11, 13, 15, 19])
    t.deepEqual(
      autoDecision({ ...st, current: clear(n), n }),
      { looks: {} },
      `${n} is not a look: however clear, sampling goes on`,
    );
  for (const n of lookSchedule(20))
    t.is(autoDecision({ ...st, current: clear(n), n }).stop, 'conclusive', `${n} is a look`);
  const noisy = {
    ...st,
    reference: { bits_per_second: take(normal(13, 10, 5), 20) },
    current: { bits_per_second: take(normal(14, 10, 5), 20) },
  };
  t.is(autoDecision({ ...noisy, n: 20 }).stop, 'max');
  t.is(
    autoDecision({ ...noisy, n: 6, leftMs: 500, lastMs: 1000 }).stop,
    'budget',
    'another sample would not fit in the time left',
  );
  t.is(autoDecision({ ...noisy, n: 6, leftMs: 5000, lastMs: 1000 }).stop, undefined);
});

test('the looks a verdict spends its error rate over: fixed --repeat N is one look, auto the schedule of its cap', (t) => {
  t.deepEqual(runLooks({ count: 5 }), [5]);
  t.deepEqual(runLooks({ count: 12, auto: { max: 20 } }), [5, 7, 10, 14, 20]);
  t.deepEqual(runLooks({ count: 9, auto: { max: 9 } }), [5, 7, 9]);
});

test('without a reference, auto stops when the level is known within the threshold', (t) => {
  const auto = sampleAuto(undefined, normal(14, 10 * GBIT, 0.3 * GBIT), { maxDrop: 0.05, max: 40 });
  t.is(auto.stop, 'precise');
  t.true(lookSchedule(40).includes(auto.n));
  const wide = sampleAuto(undefined, normal(15, 10 * GBIT, 3 * GBIT), { maxDrop: 0.05, max: 20 });
  t.is(wide.stop, 'max');
});
