import test from 'ava';
import { formatRate } from '../src/rate.js';

test('one bit-rate formatter: Gbit/s, Mbit/s, kbit/s, and what stands for no value', (t) => {
  t.is(formatRate(9.4e9), '9.40 Gbit/s');
  t.is(formatRate(940e6), '940.0 Mbit/s');
  t.is(formatRate(56e3), '56 kbit/s');
  t.is(formatRate(undefined), '-');
  t.is(formatRate(Number.NaN, '–'), '–');
});
