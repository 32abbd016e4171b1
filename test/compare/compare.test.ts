import test from 'ava';
import { compareRecord } from '../../src/compare/compare.js';
import { printComparison } from '../../src/output/comparison.js';
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
  t.deepEqual(
    c.fingerprintDiffs.map((d) => d.key),
    ['kernel'],
  );
  t.true(
    compareRecord(other, { label: 'b', fingerprint: base.fingerprint, samples: base.samples }, { force: true })
      .compared,
  );
});

test('another CPU model is compared, and shown beside the verdict', (t) => {
  const other = { ...slow, fingerprint: { ...slow.fingerprint, cpuModel: 'AMD EPYC 7763' } };
  const c = compareRecord(other, { label: 'b', fingerprint: base.fingerprint, samples: base.samples });
  t.true(c.compared);
  t.is(c.worst, 'regressed');
  t.deepEqual(c.notes, [{ key: 'cpuModel', baseline: 'c', current: 'AMD EPYC 7763' }]);
  const lines: string[] = [];
  printComparison(c, (s) => lines.push(s));
  t.regex(lines.join(''), /measured with \(shown, not compared\): cpuModel c → AMD EPYC 7763/);
});

test('a fixed --repeat is judged as one look, --repeat auto over the looks of its cap (a wider interval for the same samples)', (t) => {
  const fixed = compareRecord(slow, { label: 'b', fingerprint: base.fingerprint, samples: base.samples }).rows[0]!
    .comparison;
  const auto = compareRecord(
    { ...slow, repeat: { count: 5, warmup: false, auto: { max: 20, budgetS: 600, checks: {} } } },
    { label: 'b', fingerprint: base.fingerprint, samples: base.samples },
  ).rows[0]!.comparison;
  t.is(fixed.ratio, auto.ratio);
  t.true(auto.ci.high - auto.ci.low > fixed.ci.high - fixed.ci.low);
  t.regex(auto.reason, /99.98% interval at look 5 of 5\/7\/10\/14\/20: /);
  t.regex(fixed.reason, /\(95% interval /);
});
