import { ratioOfMediansCi } from './bootstrap.js';
import { median } from './summary.js';

export type Verdict = 'improved' | 'unchanged' | 'regressed' | 'inconclusive';

export interface Comparison {
  verdict: Verdict;
  /** median(current) / median(baseline). */
  ratio: number;
  ci: { low: number; high: number };
  maxDrop: number;
  reason: string;
}

/** Fewer samples than this on a side cannot show that a change is real. */
export const MIN_SAMPLES = 3;

/**
 * regressed: the whole interval of median(current)/median(baseline) lies below 1 − maxDrop — the
 * drop is beyond the threshold and not noise. improved: the mirror image. unchanged: no drop
 * beyond the threshold is plausible (the interval stays above 1 − maxDrop). inconclusive: the
 * interval reaches past the threshold but not wholly — the noise is wider than the threshold.
 * Deliberately conservative: on these noisy machines a false alarm costs more than a late one.
 */
export function compareSamples(baseline: readonly number[], current: readonly number[], maxDrop = 0.1): Comparison {
  const ratio = median(current) / median(baseline);
  const pct = (x: number) => `${((x - 1) * 100).toFixed(1)}%`;
  const limit = `${(maxDrop * 100).toFixed(0)}%`;
  if (baseline.length < MIN_SAMPLES || current.length < MIN_SAMPLES) {
    const big = ratio < 1 - maxDrop || ratio > 1 + maxDrop;
    return {
      verdict: big ? 'inconclusive' : 'unchanged', ratio, ci: { low: ratio, high: ratio }, maxDrop,
      reason: big
        ? `${pct(ratio)} with ${Math.min(baseline.length, current.length)} sample(s): too few to tell noise from change; raise --repeat to ${MIN_SAMPLES} or more`
        : `${pct(ratio)}, within ±${limit}`,
    };
  }
  const ci = ratioOfMediansCi(baseline, current);
  const range = `${pct(ratio)} (95% interval ${pct(ci.low)} … ${pct(ci.high)})`;
  if (ci.high < 1 - maxDrop) return { verdict: 'regressed', ratio, ci, maxDrop, reason: `${range}: a real drop beyond ${limit}` };
  if (ci.low > 1 + maxDrop) return { verdict: 'improved', ratio, ci, maxDrop, reason: `${range}: a real gain beyond ${limit}` };
  if (ci.low >= 1 - maxDrop) return { verdict: 'unchanged', ratio, ci, maxDrop, reason: `${range}: no drop beyond ${limit}` };
  return { verdict: 'inconclusive', ratio, ci, maxDrop, reason: `${range}: the noise is wider than the ${limit} threshold; raise --repeat` };
}
