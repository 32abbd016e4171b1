import test from 'ava';
import { chiSquareP, chiSquareTest, gammaQ, logGamma, movedShare, percentile } from '../../src/traffic/stats.js';

const close = (a: number, b: number, rel = 1e-9) => Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-300);

test('logGamma matches factorials and Γ(1/2) = √π', (t) => {
  t.true(close(logGamma(1), 0, 1e-12) || Math.abs(logGamma(1)) < 1e-12);
  t.true(close(logGamma(10), Math.log(362_880)));
  t.true(close(logGamma(0.5), Math.log(Math.sqrt(Math.PI))));
  t.true(close(logGamma(171), 706.5730622457874));
});

test('the regularized gamma Q against closed forms: Q(1, x) = e^−x, Q(1/2, x) = erfc(√x)', (t) => {
  for (const x of [0.01, 0.5, 1, 2, 7.5, 30]) t.true(close(gammaQ(1, x), Math.exp(-x)), `Q(1, ${x})`);
  t.true(close(gammaQ(0.5, 1), 0.15729920705028513)); // erfc(1)
  t.true(close(gammaQ(0.5, 4), 0.004677734981047266)); // erfc(2)
  t.is(gammaQ(3, 0), 1);
  t.true(Number.isNaN(gammaQ(0, 1)));
});

test('chi-square upper tail at the tables’ critical values', (t) => {
  // (statistic, degrees of freedom, p) from the standard tables
  const table: [number, number, number][] = [
    [3.841458820694124, 1, 0.05],
    [6.634896601021214, 1, 0.01],
    [5.991464547107979, 2, 0.05],
    [11.070497693516351, 5, 0.05],
    [18.307038053275146, 10, 0.05],
    [23.209251158954356, 10, 0.01],
    [124.34211340400407, 100, 0.05],
    [10.827566170662733, 1, 0.001],
  ];
  for (const [x, k, p] of table)
    t.true(close(chiSquareP(x, k), p, 1e-7), `P(χ²${k} ≥ ${x}) = ${chiSquareP(x, k)}, expected ${p}`);
});

test('a spread with the expected shares has a high p; a starved backend a p near 0', (t) => {
  const even = chiSquareTest([100, 98, 102], [1, 1, 1]);
  t.is(even.degreesOfFreedom, 2);
  t.true(close(even.statistic, (0 + 4 + 4) / 100));
  t.true(even.p > 0.9);
  const starved = chiSquareTest([150, 0, 150], [1, 1, 1]);
  t.true(starved.p < 1e-30);
  // a backend expected to get nothing and getting nothing adds no degree of freedom
  const two = chiSquareTest([150, 0, 150], [0.5, 0, 0.5]);
  t.is(two.degreesOfFreedom, 1);
  t.is(two.p, 1);
  // one connection where none is expected: p = 0
  t.is(chiSquareTest([149, 1, 150], [0.5, 0, 0.5]).p, 0);
  t.throws(() => chiSquareTest([1, 2], [1]));
});

test('moved share: of the flows (source ports) in both spreads, those whose backend changed', (t) => {
  const before: [number, string][] = [
    [1, 'a'],
    [2, 'b'],
    [3, 'c'],
    [4, 'a'],
  ];
  const after: [number, string][] = [
    [1, 'a'],
    [2, 'c'],
    [3, 'a'],
    [5, 'b'],
  ];
  t.deepEqual(movedShare(before, after), { compared: 3, moved: 2, share: 2 / 3 });
  t.is(movedShare(before, [[9, 'a']]), undefined);
});

test('percentiles by nearest rank: values that were measured', (t) => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted on purpose
  t.is(percentile(xs, 50), 50);
  t.is(percentile(xs, 90), 90);
  t.is(percentile(xs, 99), 99);
  t.is(percentile(xs, 100), 100);
  t.is(percentile([7], 99), 7);
  t.is(percentile([1, 2, 3, 4], 50), 2);
  t.true(Number.isNaN(percentile([], 50)));
});
