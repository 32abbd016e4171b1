import { judgePaired, lookSchedule } from '../../stats/sequential.js';
import { JUDGED } from '../../stats/judged.js';
import { COST_MEASUREMENT } from '../../bpfstats/cost.js';
import type { Comparison, Verdict } from '../../stats/verdict.js';

export type Side = 'a' | 'b';

/**
 * The order of the two sides in round k (1, 2, …): A B, B A, A B, B A … Over each pair of rounds
 * both sides sit once first and once second, so a drift that is linear in time (a neighbour
 * slowly loading the machine, a warming CPU) adds the same to A's and to B's samples and cancels
 * from their ratio; a fixed A-then-B would hand B the whole drift of half a round.
 */
export function roundOrder(k: number): [Side, Side] {
  return k % 2 === 1 ? ['a', 'b'] : ['b', 'a'];
}

/** One side's figures of one round: check → measurement → value (a sample that failed has none). */
export type RoundSample = Record<string, Record<string, number>>;

/** Both sides' samples, round by round. */
export interface Rounds {
  a: RoundSample[];
  b: RoundSample[];
}

/** A judged measurement of a throughput check. */
export interface Judged {
  check: string;
  measure: string;
}

/**
 * What is judged: each throughput check's judged measurements that BOTH sides measured in the
 * first round (the load balancer's cost only where both have XDP/tc programs: nft and none have none).
 */
export function judgedPairs(rounds: Rounds): Judged[] {
  const [a, b] = [rounds.a[0] ?? {}, rounds.b[0] ?? {}];
  const out: Judged[] = [];
  for (const check of Object.keys(a).filter((c) => b[c])) {
    for (const measure of Object.keys(JUDGED))
      if (a[check]![measure] !== undefined && b[check]![measure] !== undefined) out.push({ check, measure });
  }
  return out;
}

/** B/A of each round where both sides measured it: the pairing that makes drift cancel. */
export function pairedRatios(rounds: Rounds, j: Judged): number[] {
  const out: number[] = [];
  for (let k = 0; k < Math.min(rounds.a.length, rounds.b.length); k++) {
    const [x, y] = [rounds.a[k]?.[j.check]?.[j.measure], rounds.b[k]?.[j.check]?.[j.measure]];
    if (x !== undefined && y !== undefined && x > 0 && y > 0) out.push(y / x);
  }
  return out;
}

/** How many rounds, and when a verdict may be drawn. */
export interface AbPlan {
  /** Fixed --repeat N: N rounds, one look at the end; auto: up to `max`, looks as lookSchedule plans them. */
  max: number;
  looks: number[];
  auto: boolean;
  /** With auto: the seconds sampling may take in all. */
  budgetMs: number;
  maxDrop: number;
}

export function abPlan(o: { repeat: number | 'auto'; maxRepeat?: number; budgetS?: number; maxDrop: number }): AbPlan {
  if (o.repeat !== 'auto')
    return { max: o.repeat, looks: [o.repeat], auto: false, budgetMs: Infinity, maxDrop: o.maxDrop };
  const max = o.maxRepeat ?? 20;
  return { max, looks: lookSchedule(max), auto: true, budgetMs: (o.budgetS ?? 600) * 1000, maxDrop: o.maxDrop };
}

export interface AbVerdict extends Judged {
  ratio: number;
  low: number;
  high: number;
  verdict: Verdict;
  /** Paired rounds judged: the samples each side took of this measurement. */
  samples: number;
  direction: Comparison['direction'];
  reason: string;
}

/** The verdicts after `rounds`, drawn at a look of the plan (or at an unplanned last look: its share of the error is added). */
export function judgeRounds(rounds: Rounds, plan: AbPlan, pairs: Judged[] = judgedPairs(rounds)): AbVerdict[] {
  const n = Math.min(rounds.a.length, rounds.b.length);
  const looks = plan.looks.includes(n) ? plan.looks : [...plan.looks.filter((l) => l < n), n];
  return pairs.map((j) => {
    const ratios = pairedRatios(rounds, j);
    const c = judgePaired(ratios, { maxDrop: plan.maxDrop, direction: JUDGED[j.measure]!, looks });
    return {
      ...j,
      ratio: c.ratio,
      low: c.ci.low,
      high: c.ci.high,
      verdict: c.verdict,
      samples: ratios.length,
      direction: c.direction,
      reason: c.reason,
    };
  });
}

/**
 * conclusive: every judged measurement cleared the threshold one way or the other at a look;
 * fixed: the --repeat N rounds were taken; max: auto's cap; budget: the next round would not fit
 * in what is left of --budget; failed: a sample failed on a side; interrupted: a signal.
 */
export type AbStop = 'conclusive' | 'fixed' | 'max' | 'budget' | 'failed' | 'interrupted';

/** After round n: stop, and why, or go on (undefined). Verdicts are looked at only at the planned looks. */
export function stopAfter(
  n: number,
  plan: AbPlan,
  verdicts: () => AbVerdict[],
  time: { elapsedMs: number; lastRoundMs: number },
): AbStop | undefined {
  if (!plan.auto) return n >= plan.max ? 'fixed' : undefined;
  if (plan.looks.includes(n)) {
    const v = verdicts();
    if (v.length && v.every((x) => x.verdict !== 'inconclusive')) return 'conclusive';
  }
  if (n >= plan.max) return 'max';
  if (time.elapsedMs + time.lastRoundMs > plan.budgetMs) return 'budget';
  return undefined;
}

const ORDER: Verdict[] = ['regressed', 'inconclusive', 'improved', 'unchanged'];

/** The worst verdict: a regression first, then what could not be told. */
export function worstVerdict(vs: readonly AbVerdict[]): Verdict | undefined {
  return vs.length ? ORDER.find((v) => vs.some((x) => x.verdict === v)) : undefined;
}

export const isCost = (measure: string) => measure === COST_MEASUREMENT;
