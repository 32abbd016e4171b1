import test from 'ava';
import { checkLabel, printRunSummary } from '../../src/output/run-summary.js';
import { checkTally } from '../../src/commands/actions/results.js';
import { record } from '../helpers/record.js';

/** A run with --warmup: the first iperf3 run is repetition 0, not counted. */
function warmedUp() {
  const r = record('r1', [10e9, 11e9]);
  r.checks.splice(1, 0, {
    name: 'iperf3',
    kind: 'iperf3',
    status: 'passed',
    summary: 'warm',
    evidence: {},
    measurements: { bits_per_second: 9e9 },
    durationMs: 1000,
    repetition: 0,
  });
  r.repeat.warmup = true;
  return r;
}

function printed(r: ReturnType<typeof record>): string {
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => {
    out += s;
    return true;
  }) as typeof process.stdout.write;
  try {
    printRunSummary(r);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

test("--warmup: the warm-up row is marked in the run's table, the counted ones are not (issue 24)", (t) => {
  const r = warmedUp();
  t.deepEqual(r.checks.map(checkLabel), ['telnet', 'iperf3 (warm-up, not counted)', 'iperf3', 'iperf3']);
  const lines = printed(r)
    .split('\n')
    .filter((l) => /^iperf3/.test(l));
  t.is(lines.length, 3);
  t.is(lines.filter((l) => l.includes('warm-up, not counted')).length, 1);
});

test('results counts the checks that count: the warm-up is not one (issue 24)', (t) => {
  t.is(checkTally(warmedUp().checks), '3/3');
  t.is(checkTally(record('r2', [1e9], 'failed').checks), '1/2');
});
