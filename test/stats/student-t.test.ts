import test from 'ava';
import { incompleteBeta, studentTCdf, studentTQuantile } from '../../src/stats/student-t.js';

// two-sided 95% and 99% critical values from a printed t table (3 decimals)
const TABLE: [df: number, t975: number, t995: number][] = [
  [1, 12.706, 63.657],
  [2, 4.303, 9.925],
  [3, 3.182, 5.841],
  [5, 2.571, 4.032],
  [10, 2.228, 3.169],
  [30, 2.042, 2.75],
  [120, 1.98, 2.617],
];

for (const [df, t975, t995] of TABLE) {
  test(`the quantiles with ${df} degrees of freedom are the table's`, (t) => {
    t.is(Number(studentTQuantile(0.975, df).toFixed(3)), t975);
    t.is(Number(studentTQuantile(0.995, df).toFixed(3)), t995);
    // and the distribution is symmetric: the lower quantile is the upper one negated
    t.is(studentTQuantile(0.025, df), -studentTQuantile(0.975, df));
  });
}

test('the CDF and the quantile are inverses, and the CDF is ½ at 0', (t) => {
  for (const df of [1, 4, 9, 50]) {
    t.is(studentTCdf(0, df), 0.5);
    for (const p of [0.6, 0.9, 0.99])
      t.true(Math.abs(studentTCdf(studentTQuantile(p, df), df) - p) < 1e-9, `df ${df}, p ${p}`);
    t.true(Math.abs(studentTCdf(-1.5, df) + studentTCdf(1.5, df) - 1) < 1e-12, `symmetry at df ${df}`);
  }
});

test('with many degrees of freedom the t distribution is the normal one', (t) => {
  t.is(Number(studentTQuantile(0.975, 100_000).toFixed(2)), 1.96);
  t.is(Number(studentTCdf(1.6449, 100_000).toFixed(3)), 0.95);
});

test('the incomplete beta function: its bounds, I_x(1, 1) = x, and I_x(a, b) = 1 − I_(1−x)(b, a)', (t) => {
  t.is(incompleteBeta(0, 2, 3), 0);
  t.is(incompleteBeta(1, 2, 3), 1);
  // to 1e-8: it is some 1e-9 off here (measured), which a t quantile of 3 decimals never sees
  for (const x of [0.1, 0.5, 0.9]) t.true(Math.abs(incompleteBeta(x, 1, 1) - x) < 1e-8, String(x));
  // I_x(2, 1) = x²
  t.true(Math.abs(incompleteBeta(0.3, 2, 1) - 0.09) < 1e-8);
  t.true(Math.abs(incompleteBeta(0.3, 2.5, 4) - (1 - incompleteBeta(0.7, 4, 2.5))) < 1e-12);
});

test('a probability outside (0, 1) has no quantile', (t) => {
  for (const p of [0, 1, -0.1, Number.NaN])
    t.throws(() => studentTQuantile(p, 3), { instanceOf: RangeError }, String(p));
});
