import test from 'ava';
import {
  abPlan,
  judgedPairs,
  judgeRounds,
  pairedRatios,
  roundOrder,
  stopAfter,
  worstVerdict,
  type AbVerdict,
  type RoundSample,
  type Rounds,
} from '../../../src/session/ab/rounds.js';

const bps = (v: number, cost?: number): RoundSample => ({
  iperf3: { bits_per_second: v, ...(cost === undefined ? {} : { lb_ns_per_packet: cost }) },
});

test('rounds alternate A B, B A, A B, B A: each side leads every other round', (t) => {
  t.deepEqual([1, 2, 3, 4, 5].map(roundOrder), [
    ['a', 'b'],
    ['b', 'a'],
    ['a', 'b'],
    ['b', 'a'],
    ['a', 'b'],
  ]);
});

test('a drift linear in time cancels from the paired ratios over pairs of rounds (it would not with A always first)', (t) => {
  // each side's sample takes one time slot; the machine loses 2% of its speed a slot
  const speedAt = (slot: number) => 1 - 0.02 * slot;
  const simulate = (order: (k: number) => string[]) => {
    const r: Rounds = { a: [], b: [] };
    let slot = 0;
    for (let k = 1; k <= 8; k++) for (const side of order(k)) r[side as 'a' | 'b'].push(bps(10e9 * speedAt(slot++)));
    const ratios = pairedRatios(r, { check: 'iperf3', measure: 'bits_per_second' });
    return Math.exp(ratios.map(Math.log).reduce((x, y) => x + y, 0) / ratios.length);
  };
  const interleaved = simulate(roundOrder);
  const fixed = simulate(() => ['a', 'b']);
  t.true(Math.abs(interleaved - 1) < 0.002, `interleaved ${interleaved}`);
  t.true(Math.abs(fixed - 1) > 0.015, `fixed order ${fixed}`);
});

test('paired ratios are B/A round by round; a round a side did not measure is left out, not shifted', (t) => {
  const r: Rounds = { a: [bps(10), bps(20), {}, bps(40)], b: [bps(11), bps(18), bps(30), bps(44)] };
  t.deepEqual(pairedRatios(r, { check: 'iperf3', measure: 'bits_per_second' }), [1.1, 0.9, 1.1]);
  // a round only one side has taken yet is not paired
  t.deepEqual(
    pairedRatios({ a: [bps(10), bps(10)], b: [bps(12)] }, { check: 'iperf3', measure: 'bits_per_second' }),
    [1.2],
  );
});

test('the cost is judged only where both sides measured it (nft has no XDP program): throughput always', (t) => {
  t.deepEqual(
    judgedPairs({ a: [bps(10, 50)], b: [bps(10, 60)] }).map((j) => j.measure),
    ['bits_per_second', 'lb_ns_per_packet'],
  );
  t.deepEqual(
    judgedPairs({ a: [bps(10, 50)], b: [bps(10)] }).map((j) => j.measure),
    ['bits_per_second'],
  );
  // lb_runs and retransmits are evidence, not verdicts
  t.deepEqual(
    judgedPairs({
      a: [{ iperf3: { bits_per_second: 1, lb_runs: 5, retransmits: 3 } }],
      b: [{ iperf3: { bits_per_second: 1, lb_runs: 5, retransmits: 3 } }],
    }).map((j) => j.measure),
    ['bits_per_second'],
  );
});

const steady = (n: number, a: number, b: number, costA?: number, costB?: number): Rounds => {
  const wobble = (k: number) => 1 + 0.01 * Math.sin(k * 1.7);
  return {
    a: Array.from({ length: n }, (_, k) => bps(a * wobble(k), costA && costA * wobble(k + 1))),
    b: Array.from({ length: n }, (_, k) => bps(b * wobble(k), costB && costB * wobble(k + 1))),
  };
};

test('a B with four times the cost per packet is regressed on cost, its throughput judged on its own', (t) => {
  const v = judgeRounds(steady(5, 5e9, 4.9e9, 40, 160), abPlan({ repeat: 5, maxDrop: 0.1 }));
  t.is(v.find((x) => x.measure === 'lb_ns_per_packet')!.verdict, 'regressed');
  t.is(v.find((x) => x.measure === 'bits_per_second')!.verdict, 'unchanged');
  t.is(worstVerdict(v), 'regressed');
  t.true(v.every((x) => x.samples === 5));
});

test('fewer than 3 rounds judge nothing', (t) => {
  const v = judgeRounds(steady(2, 5e9, 2e9), abPlan({ repeat: 2, maxDrop: 0.1 }));
  t.is(v[0]!.verdict, 'inconclusive');
});

test('fixed --repeat N: N rounds, one look', (t) => {
  const plan = abPlan({ repeat: 4, maxDrop: 0.1 });
  t.deepEqual(plan.looks, [4]);
  const never = () => {
    throw new Error('a fixed plan does not look before its end');
  };
  t.is(stopAfter(3, plan, never, { elapsedMs: 0, lastRoundMs: 0 }), undefined);
  t.is(
    stopAfter(4, plan, () => [], { elapsedMs: 0, lastRoundMs: 0 }),
    'fixed',
  );
});

test('auto looks only at the planned looks, stops when every verdict is clear, else at the cap or before the budget runs out', (t) => {
  const plan = abPlan({ repeat: 'auto', maxRepeat: 20, budgetS: 100, maxDrop: 0.1 });
  t.deepEqual(plan.looks, [5, 7, 10, 14, 20]);
  let looked = 0;
  const clear = () => {
    looked++;
    return [{ verdict: 'unchanged' } as AbVerdict];
  };
  const open = () => {
    looked++;
    return [{ verdict: 'unchanged' } as AbVerdict, { verdict: 'inconclusive' } as AbVerdict];
  };
  const time = { elapsedMs: 0, lastRoundMs: 1000 };
  t.is(stopAfter(4, plan, clear, time), undefined);
  t.is(looked, 0, 'no look between the planned ones');
  t.is(stopAfter(5, plan, clear, time), 'conclusive');
  t.is(stopAfter(5, plan, open, time), undefined);
  t.is(stopAfter(20, plan, open, time), 'max');
  t.is(stopAfter(8, plan, open, { elapsedMs: 99_500, lastRoundMs: 1000 }), 'budget');
});

test('a verdict drawn at an unplanned last look (the budget) takes its own share of the error: wider than one planned look alone', (t) => {
  const r: Rounds = {
    a: [10, 11, 9, 10, 12, 10, 9, 11].map((x) => bps(x)),
    b: [10, 10, 10, 11, 11, 9, 10, 10].map((x) => bps(x)),
  };
  const at8 = judgeRounds(r, abPlan({ repeat: 'auto', maxRepeat: 20, maxDrop: 0.1 }))[0]!;
  t.regex(at8.reason, /look 8 of 5\/7\/8/, 'looks 5, 7 and the last at 8');
  const once = judgeRounds(r, abPlan({ repeat: 8, maxDrop: 0.1 }))[0]!;
  t.true(at8.high - at8.low > once.high - once.low);
});

test('the worst verdict: regressed, then inconclusive, then improved, then unchanged', (t) => {
  const v = (verdict: AbVerdict['verdict']) => ({ verdict }) as AbVerdict;
  t.is(worstVerdict([v('unchanged'), v('improved')]), 'improved');
  t.is(worstVerdict([v('improved'), v('inconclusive')]), 'inconclusive');
  t.is(worstVerdict([v('inconclusive'), v('regressed')]), 'regressed');
  t.is(worstVerdict([]), undefined);
});
