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
 * regressed: the median fell by more than maxDrop AND the whole interval of the ratio is below 1
 * (the drop is real, not noise). improved: the mirror image. inconclusive: the interval reaches
 * both "no change" and "a drop beyond the threshold" — the noise is wider than the threshold.
 * unchanged: the rest (no change, or a real change smaller than the threshold).
 */
export function compareSamples(baseline: readonly number[], current: readonly number[], maxDrop = 0.1): Comparison {
  const ratio = median(current) / median(baseline);
  const pct = (x: number) => `${((x - 1) * 100).toFixed(1)}%`;
  if (baseline.length < MIN_SAMPLES || current.length < MIN_SAMPLES) {
    const big = ratio < 1 - maxDrop || ratio > 1 + maxDrop;
    return {
      verdict: big ? 'inconclusive' : 'unchanged', ratio, ci: { low: ratio, high: ratio }, maxDrop,
      reason: big
        ? `${pct(ratio)} with ${Math.min(baseline.length, current.length)} sample(s): too few to tell noise from change; raise --repeat to ${MIN_SAMPLES} or more`
        : `${pct(ratio)}, within ±${(maxDrop * 100).toFixed(0)}%`,
    };
  }
  const ci = ratioOfMediansCi(baseline, current);
  const range = `${pct(ratio)} (95% interval ${pct(ci.low)} … ${pct(ci.high)})`;
  if (ratio < 1 - maxDrop && ci.high < 1) return { verdict: 'regressed', ratio, ci, maxDrop, reason: `${range}: a real drop beyond ${(maxDrop * 100).toFixed(0)}%` };
  if (ratio > 1 + maxDrop && ci.low > 1) return { verdict: 'improved', ratio, ci, maxDrop, reason: `${range}: a real gain beyond ${(maxDrop * 100).toFixed(0)}%` };
  if (ci.low < 1 - maxDrop && ci.high > 1) return { verdict: 'inconclusive', ratio, ci, maxDrop, reason: `${range}: the noise is wider than the ${(maxDrop * 100).toFixed(0)}% threshold; raise --repeat` };
  return { verdict: 'unchanged', ratio, ci, maxDrop, reason: `${range}: within the ${(maxDrop * 100).toFixed(0)}% threshold` };
}
