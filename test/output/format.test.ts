import test from 'ava';
import { formatMeasurement, signedPct } from '../../src/output/format.js';

test('a judged measurement reads as a rate or a cost per packet; a ratio as a signed percentage', (t) => {
  t.is(formatMeasurement('bits_per_second', 2e9), '2.00 Gbit/s');
  t.regex(formatMeasurement('lb_ns_per_packet', 245), /^245 ns\/packet$/);
  t.is(signedPct(1.05), '+5.0%');
  t.is(signedPct(0.7), '-30.0%');
});
