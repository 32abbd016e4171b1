export type Verdict = 'improved' | 'unchanged' | 'regressed' | 'inconclusive';

/** Throughput is better higher; the load balancer's ns per packet is better lower. */
export type Direction = 'higher' | 'lower';

export interface Comparison {
  verdict: Verdict;
  /** current / baseline: of the geometric means (of the paired ratios for ab). */
  ratio: number;
  ci: { low: number; high: number };
  maxDrop: number;
  direction: Direction;
  reason: string;
}

/** Fewer samples than this on a side cannot show that a change is real. */
export const MIN_SAMPLES = 3;

/**
 * The verdict of a ratio and its interval against the threshold: the one rule every comparison
 * (stored baseline, `zonlab ab`) shares; how the interval was drawn is the caller's.
 */
export function classify(
  ratio: number,
  ci: { low: number; high: number },
  maxDrop: number,
  direction: Direction,
  label: string,
): Comparison {
  const pct = (x: number) => `${x >= 1 ? '+' : ''}${((x - 1) * 100).toFixed(1)}%`;
  const limit = `${(maxDrop * 100).toFixed(0)}%`;
  const [worse, better] = direction === 'higher' ? ['drop', 'gain'] : ['rise', 'fall'];
  const range = `${pct(ratio)} (${label} ${pct(ci.low)} … ${pct(ci.high)})`;
  const higher = direction === 'higher';
  const base = { ratio, ci, maxDrop, direction };
  const beyondWorse = higher ? ci.high < 1 - maxDrop : ci.low > 1 + maxDrop;
  const beyondBetter = higher ? ci.low > 1 + maxDrop : ci.high < 1 - maxDrop;
  const withinWorse = higher ? ci.low >= 1 - maxDrop : ci.high <= 1 + maxDrop;
  if (beyondWorse) return { ...base, verdict: 'regressed', reason: `${range}: a real ${worse} beyond ${limit}` };
  if (beyondBetter) return { ...base, verdict: 'improved', reason: `${range}: a real ${better} beyond ${limit}` };
  if (withinWorse) return { ...base, verdict: 'unchanged', reason: `${range}: no ${worse} beyond ${limit}` };
  return {
    ...base,
    verdict: 'inconclusive',
    reason: `${range}: the noise is wider than the ${limit} threshold; raise --repeat (or --repeat auto)`,
  };
}

/** Fewer than MIN_SAMPLES a side: never a verdict but inconclusive, whatever the figures. */
export function tooFew(ratio: number, n: number, maxDrop: number, direction: Direction): Comparison {
  const pct = `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`;
  return {
    verdict: 'inconclusive',
    ratio,
    ci: { low: ratio, high: ratio },
    maxDrop,
    direction,
    reason: `${pct} with ${n} sample(s): too few to tell noise from change (at least ${MIN_SAMPLES} a side); raise --repeat or use --repeat auto`,
  };
}
