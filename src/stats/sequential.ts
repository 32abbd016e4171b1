import { studentTQuantile } from './student-t.js';
import { classify, MIN_SAMPLES, tooFew, type Comparison, type Direction } from './verdict.js';

/**
 * Verdicts that stay valid however often sampling looks at them. Sampling may stop only at a few
 * planned sample counts (the looks); the error rate (5%, two-sided) is split evenly over them
 * (Bonferroni), so a rule that looks L times has each look's interval at level 1 − 0.05/L and the
 * chance that noise alone crosses a side at any look is at most 2.5%. The figures are compared on
 * a log scale (a ratio's noise is multiplicative) with Student's t: exact for log-normal noise, and
 * the seeded simulation in test/stats/simulation.test.ts measures what it gives when it is not.
 */
export interface JudgeOptions {
  maxDrop: number;
  direction: Direction;
  /** The sample counts at which a verdict may be drawn (the error rate is spent over these). */
  looks: readonly number[];
  /** The family-wise error rate, two-sided (default 0.05). */
  alpha?: number;
}

/** The sample counts at which --repeat auto (and ab) may stop: few, so each look keeps a fair share of the error rate. */
export function lookSchedule(max: number, first = 5): number[] {
  const planned = [5, 7, 10, 14, 20, 28, 40, 56, 80].filter((n) => n >= first && n < max);
  return max >= MIN_SAMPLES ? [...planned, max] : planned;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: readonly number[]) => {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
};

function perLookLevel(o: JudgeOptions): { level: number; label: string } {
  const alpha = (o.alpha ?? 0.05) / Math.max(1, o.looks.length);
  const level = 1 - alpha;
  return { level, label: `${(level * 100).toFixed(level > 0.999 ? 2 : 1)}% interval, ${o.looks.length} look(s)` };
}

/** Paired ratios B/A (one a round, from the same machine minutes apart): the verdict on their geometric mean. */
export function judgePaired(ratios: readonly number[], o: JudgeOptions): Comparison {
  const logs = ratios.filter((r) => r > 0 && Number.isFinite(r)).map(Math.log);
  const n = logs.length;
  const ratio = n ? Math.exp(mean(logs)) : Number.NaN;
  if (n < MIN_SAMPLES) return tooFew(ratio, n, o.maxDrop, o.direction);
  const { level, label } = perLookLevel(o);
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * Math.sqrt(variance(logs) / n);
  return classify(ratio, { low: ratio * Math.exp(-half), high: ratio * Math.exp(half) }, o.maxDrop, o.direction, label);
}

/** A run against a stored baseline: two independent samples (Welch's t on the logs). */
export function judgeUnpaired(reference: readonly number[], current: readonly number[], o: JudgeOptions): Comparison {
  const ok = (xs: readonly number[]) => xs.filter((x) => x > 0 && Number.isFinite(x)).map(Math.log);
  const [a, b] = [ok(reference), ok(current)];
  const ratio = a.length && b.length ? Math.exp(mean(b) - mean(a)) : Number.NaN;
  if (a.length < MIN_SAMPLES || b.length < MIN_SAMPLES) return tooFew(ratio, Math.min(a.length, b.length), o.maxDrop, o.direction);
  const [va, vb] = [variance(a) / a.length, variance(b) / b.length];
  const se = Math.sqrt(va + vb);
  // Welch–Satterthwaite; both variances zero (identical figures) leave no noise to widen by
  const df = se === 0 ? a.length + b.length - 2 : (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const { level, label } = perLookLevel(o);
  const half = studentTQuantile(1 - (1 - level) / 2, df) * se;
  return classify(ratio, { low: ratio * Math.exp(-half), high: ratio * Math.exp(half) }, o.maxDrop, o.direction, label);
}
