import test from 'ava';
import type { CheckOutcome } from '../../src/checks/outcome.js';
import { Sampling } from '../../src/session/sampling.js';

const outcome = (repetition: number, bps: number, status: CheckOutcome['status'] = 'passed'): CheckOutcome => ({
  name: 'iperf3',
  kind: 'iperf3',
  status,
  summary: '',
  evidence: {},
  measurements: { bits_per_second: bps },
  durationMs: 1,
  repetition,
});

/** The run loop: take the repetitions the plan gives, report each outcome back. */
function drive(s: Sampling, value: (rep: number) => CheckOutcome): number[] {
  const seen: number[] = [];
  for (const rep of s.repetitions('iperf3')) {
    seen.push(rep);
    s.done('iperf3', value(rep));
  }
  return seen;
}

test('a fixed count: the warm-up, then 1…N, and labels that say so', (t) => {
  const s = new Sampling({ repeat: 3, warmup: true, maxDrop: 0.1 }, 1);
  t.deepEqual(
    drive(s, (r) => outcome(r, 1e9)),
    [0, 1, 2, 3],
  );
  t.is(s.label(0), ' warm-up');
  t.is(s.label(2), ' 2/3');
  t.deepEqual(s.summary(), { count: 3, warmup: true });
});

test('auto: stops at the first planned look whose verdict is clear, and records how many samples it took', (t) => {
  const reference = { iperf3: { bits_per_second: [10, 10.1, 9.9, 10, 10.05, 9.95].map((x) => x * 1e9) } };
  const s = new Sampling(
    { repeat: { auto: { max: 20, budgetMs: 600_000 } }, warmup: false, maxDrop: 0.1, reference },
    1,
  );
  const reps = drive(s, (r) => outcome(r, (10 + (r % 2 ? 0.05 : -0.05)) * 1e9));
  t.deepEqual(reps, [1, 2, 3, 4, 5]);
  t.deepEqual(s.summary(), {
    count: 5,
    warmup: false,
    auto: { max: 20, budgetS: 600, checks: { iperf3: { samples: 5, stoppedBy: 'conclusive' } } },
  });
  t.is(s.label(3), ' 3 (auto, at most 20)');
});

test('auto: a failed sample stops the check', (t) => {
  const s = new Sampling({ repeat: { auto: { max: 20, budgetMs: 600_000 } }, warmup: false, maxDrop: 0.1 }, 1);
  t.deepEqual(
    drive(s, (r) => outcome(r, 1e9, r === 2 ? 'failed' : 'passed')),
    [1, 2],
  );
  t.is(s.summary().auto!.checks.iperf3!.stoppedBy, 'failed');
});

test('auto: the cap ends a check whose samples never settle', (t) => {
  const s = new Sampling({ repeat: { auto: { max: 7, budgetMs: 600_000 } }, warmup: false, maxDrop: 0.05 }, 1);
  t.deepEqual(
    drive(s, (r) => outcome(r, (r % 2 ? 5 : 15) * 1e9)),
    [1, 2, 3, 4, 5, 6, 7],
  );
  t.deepEqual(s.summary().auto!.checks.iperf3, { samples: 7, stoppedBy: 'max' });
});
