import test from 'ava';
import { binomCdf, medianCi, quantile, summarize } from '../../src/stats/summary.js';
import { prng } from '../../src/stats/bootstrap.js';

test('median, min, max, MAD and IQR of a known sample', (t) => {
  const s = summarize([1, 2, 3, 4, 100]);
  t.is(s.median, 3);
  t.is(s.min, 1);
  t.is(s.max, 100);
  t.is(s.mad, 1); // |x-3| = 2,1,0,1,97 → median 1: one outlier does not move it
  t.is(s.iqr, 4 - 2);
  t.is(s.mean, 22);
});

test('even sample sizes interpolate the median', (t) => {
  t.is(summarize([4, 1, 3, 2]).median, 2.5);
  t.is(quantile([10, 20], 0.5), 15);
});

test('ties', (t) => {
  const s = summarize([5, 5, 5, 5, 5, 5, 5]);
  t.is(s.median, 5);
  t.is(s.mad, 0);
  t.deepEqual([s.ci.low, s.ci.high], [5, 5]);
});

test('tiny samples: one value, two values, none', (t) => {
  const one = summarize([7]);
  t.is(one.median, 7);
  t.is(one.ci.level, 0); // a single value says nothing about its spread
  const two = summarize([1, 3]);
  t.deepEqual([two.ci.low, two.ci.high], [1, 3]);
  t.is(two.ci.level, 0.5);
  t.true(Number.isNaN(summarize([]).median));
});

test('binomial tail', (t) => {
  t.is(binomCdf(0, 1), 0.5);
  t.is(binomCdf(1, 2), 0.75);
  t.true(Math.abs(binomCdf(2, 10) - 56 / 1024) < 1e-12);
});

test('the order-statistic interval of the median reaches 95% from n = 6', (t) => {
  const five = medianCi([1, 2, 3, 4, 5]);
  t.true(five.level < 0.95);
  t.deepEqual([five.low, five.high], [1, 5]);
  const six = medianCi([1, 2, 3, 4, 5, 6]);
  t.true(six.level >= 0.95);
  // n = 20: the classic ranks 6 and 15
  const xs = Array.from({ length: 20 }, (_, i) => i + 1);
  const ci = medianCi(xs);
  t.deepEqual([ci.low, ci.high], [6, 15]);
  t.true(ci.level >= 0.95 && ci.level < 0.99);
});

test('the interval covers the true median of a known distribution about 95% of the time', (t) => {
  const rand = prng(42);
  let covered = 0;
  const trials = 2000;
  for (let i = 0; i < trials; i++) {
    const xs = Array.from({ length: 15 }, () => -Math.log(1 - rand())); // exponential(1): median ln 2
    const ci = medianCi(xs);
    if (ci.low <= Math.LN2 && Math.LN2 <= ci.high) covered++;
  }
  const rate = covered / trials;
  t.true(rate > 0.94 && rate < 0.995, `coverage ${rate}`);
});
