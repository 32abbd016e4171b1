import test from 'ava';
import { formatMeasurement, formatRate, signedPct } from '../../src/output/format.js';

test('one bit-rate formatter: Gbit/s, Mbit/s, kbit/s, and what stands for no value', (t) => {
  t.is(formatRate(9.4e9), '9.40 Gbit/s');
  t.is(formatRate(940e6), '940.0 Mbit/s');
  t.is(formatRate(56e3), '56 kbit/s');
  t.is(formatRate(undefined), '-');
  t.is(formatRate(Number.NaN, '–'), '–');
});

test('a judged measurement reads as a rate or a cost per packet; a ratio as a signed percentage', (t) => {
  t.is(formatMeasurement('bits_per_second', 2e9), '2.00 Gbit/s');
  t.regex(formatMeasurement('lb_ns_per_packet', 245), /^245 ns\/packet$/);
  t.is(signedPct(1.05), '+5.0%');
  t.is(signedPct(0.7), '-30.0%');
});
