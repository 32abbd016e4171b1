import test from 'ava';
import { autoDecision, AUTO_FIRST_LOOK, type AutoDecision, type StopReason } from '../../src/stats/adaptive.js';
import { prng } from '../../src/stats/bootstrap.js';
import { compareSamples, type Verdict } from '../../src/stats/verdict.js';

/** Normal draws (Box–Muller) from a seeded generator: the same stream on every machine. */
function normal(seed: number, mean: number, sd: number): () => number {
  const rand = prng(seed);
  return () => mean + sd * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}
const take = (draw: () => number, n: number) => Array.from({ length: n }, draw);

/** The run loop's use of the policy, over a synthetic stream of throughput samples. */
function sampleAuto(reference: number[] | undefined, draw: () => number, o: { maxDrop: number; max: number; leftMs?: number }): { n: number; stop: StopReason; verdict?: Verdict; samples: number[] } {
  const samples: number[] = [];
  let previous: AutoDecision['looks'] | undefined;
  for (let n = 1; ; n++) {
    samples.push(draw());
    const d = autoDecision({ current: { bits_per_second: samples }, reference: reference && { bits_per_second: reference }, n, maxDrop: o.maxDrop, max: o.max, leftMs: o.leftMs ?? Infinity, lastMs: 1000, previous });
    previous = d.looks;
    if (d.stop) return { n, stop: d.stop, verdict: reference && compareSamples(reference, samples, o.maxDrop).verdict, samples };
  }
}

const GBIT = 1e9;

test('unchanged at a 5% threshold with 4% noise: 5 samples are inconclusive, auto samples on until it is unchanged', (t) => {
  const reference = take(normal(1, 10 * GBIT, 0.4 * GBIT), 20);
  const fixed = compareSamples(reference, take(normal(2, 10 * GBIT, 0.4 * GBIT), 5), 0.05);
  t.is(fixed.verdict, 'inconclusive', fixed.reason);
  const auto = sampleAuto(reference, normal(2, 10 * GBIT, 0.4 * GBIT), { maxDrop: 0.05, max: 40 });
  t.log(`stopped after ${auto.n} samples: ${auto.stop}`);
  t.is(auto.stop, 'conclusive');
  t.is(auto.verdict, 'unchanged');
  t.true(auto.n > 5 && auto.n < 40);
});

test('noise wider than the threshold: auto runs to the cap and stays inconclusive, never regressed', (t) => {
  for (let seed = 10; seed < 16; seed++) {
    const reference = take(normal(seed, 10 * GBIT, 3 * GBIT), 20);
    const auto = sampleAuto(reference, normal(seed + 100, 10 * GBIT, 3 * GBIT), { maxDrop: 0.05, max: 25 });
    t.is(auto.stop, 'max', `seed ${seed}`);
    t.not(auto.verdict, 'regressed', `seed ${seed}`);
    t.is(auto.verdict, 'inconclusive', `seed ${seed}`);
  }
});

test('a real 15% drop is called regressed within a few samples', (t) => {
  const reference = take(normal(3, 10 * GBIT, 0.4 * GBIT), 20);
  const auto = sampleAuto(reference, normal(4, 8.5 * GBIT, 0.4 * GBIT), { maxDrop: 0.05, max: 40 });
  t.is(auto.stop, 'conclusive');
  t.is(auto.verdict, 'regressed');
  t.is(auto.n, AUTO_FIRST_LOOK + 1, 'the first look and the one that confirms it');
});

test('a cost (lower is better) is judged the other way: a rise is regressed', (t) => {
  const ref = take(normal(5, 200, 8), 20);
  const samples: number[] = [];
  const draw = normal(6, 260, 8);
  let previous: AutoDecision['looks'] | undefined;
  let d: AutoDecision = { looks: {} };
  for (let n = 1; !d.stop; n++) {
    samples.push(draw());
    d = autoDecision({ current: { lb_ns_per_packet: samples }, reference: { lb_ns_per_packet: ref }, n, maxDrop: 0.1, max: 30, leftMs: Infinity, lastMs: 0, previous });
    previous = d.looks;
  }
  t.is(d.stop, 'conclusive');
  t.is(d.looks.lb_ns_per_packet, 'regressed');
});

test('every judged measurement must be clear: a clear throughput waits for a noisy cost', (t) => {
  const ref = { bits_per_second: take(normal(7, 10, 0.1), 20), lb_ns_per_packet: take(normal(8, 200, 60), 20) };
  const now = { bits_per_second: take(normal(9, 10, 0.1), 8), lb_ns_per_packet: take(normal(10, 200, 60), 8) };
  const looks = autoDecision({ current: now, reference: ref, n: 8, maxDrop: 0.05, max: 30, leftMs: Infinity, lastMs: 0 }).looks;
  t.is(looks.bits_per_second, 'unchanged');
  t.is(looks.lb_ns_per_packet, 'inconclusive');
  t.is(autoDecision({ current: now, reference: ref, n: 8, maxDrop: 0.05, max: 30, leftMs: Infinity, lastMs: 0, previous: looks }).stop, undefined);
});

test('no look before the first look, a verdict needs two looks in a row, and the caps', (t) => {
  const ref = { bits_per_second: take(normal(11, 10, 0.01), 20) };
  const same = { bits_per_second: take(normal(12, 10, 0.01), AUTO_FIRST_LOOK) };
  const st = { current: same, reference: ref, maxDrop: 0.05, max: 30, leftMs: Infinity, lastMs: 0 };
  t.deepEqual(autoDecision({ ...st, current: { bits_per_second: same.bits_per_second.slice(0, 3) }, n: 3 }), { looks: {} });
  const first = autoDecision({ ...st, n: AUTO_FIRST_LOOK });
  t.is(first.looks.bits_per_second, 'unchanged');
  t.is(first.stop, undefined, 'one look is not enough');
  t.is(autoDecision({ ...st, n: AUTO_FIRST_LOOK, previous: first.looks }).stop, 'conclusive');
  const noisy = { ...st, reference: { bits_per_second: take(normal(13, 10, 5), 20) } };
  t.is(autoDecision({ ...noisy, n: 30 }).stop, 'max');
  t.is(autoDecision({ ...noisy, n: 6, leftMs: 500, lastMs: 1000 }).stop, 'budget', 'another sample would not fit in the time left');
});

test('without a reference, auto stops when the median is known within the threshold', (t) => {
  const auto = sampleAuto(undefined, normal(14, 10 * GBIT, 0.3 * GBIT), { maxDrop: 0.05, max: 40 });
  t.is(auto.stop, 'precise');
  t.true(auto.n >= 6, 'below 6 samples the median has no 95% interval');
  const wide = sampleAuto(undefined, normal(15, 10 * GBIT, 3 * GBIT), { maxDrop: 0.05, max: 20 });
  t.is(wide.stop, 'max');
});
