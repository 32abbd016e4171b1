import test from 'ava';
import { compareRecord } from '../../src/compare/compare.js';
import { record } from '../helpers/record.js';

const base = record('b', [20e9, 20.2e9, 19.9e9, 20.1e9, 20e9]);
const slow = record('s', [14e9, 14.1e9, 13.9e9, 14e9, 14.2e9]);
const cmp = compareRecord(slow, { label: 'baseline', fingerprint: base.fingerprint, samples: base.samples });

test('compareRecord finds the regression and its worst verdict', (t) => {
  t.true(cmp.compared);
  t.is(cmp.worst, 'regressed');
  t.is(cmp.rows[0]!.check, 'iperf3');
});

test('different fingerprints are not compared without --force', (t) => {
  const other = { ...slow, fingerprint: { ...slow.fingerprint, kernel: 'k2' } };
  const c = compareRecord(other, { label: 'b', fingerprint: base.fingerprint, samples: base.samples });
  t.false(c.compared);
  t.deepEqual(c.fingerprintDiffs.map((d) => d.key), ['kernel']);
  t.true(compareRecord(other, { label: 'b', fingerprint: base.fingerprint, samples: base.samples }, { force: true }).compared);
});
