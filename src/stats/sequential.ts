import { studentTQuantile } from './student-t.js';
import { classify, MIN_SAMPLES, tooFew, type Comparison, type Direction } from './verdict.js';

/**
 * Verdicts that stay valid however often sampling looks at them. Sampling may stop only at a few
 * planned sample counts (the looks), and the error rate (5%, two-sided: 2.5% a side) is spent over
 * them: look k may spend α·((n_k/n_last)^ρ − (n_{k−1}/n_last)^ρ), so the early looks, which
 * need a wide margin to say anything anyway, spend little and the last keeps most of it. The shares
 * add up to α, so by the union bound the chance that noise alone crosses a side at any look is at
 * most 2.5% whatever the looks' correlation (weighted Bonferroni: conservative, needs no model of
 * how the looks depend on each other). The figures are compared on a log scale (a ratio's noise is
 * multiplicative) with Student's t: exact for log-normal noise; the seeded simulation in
 * src/stats/simulation.ts (test/stats/simulation.test.ts, scripts/simulate-verdicts.mjs) measures
 * what the rule gives under drift and a CPU hog.
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

/** How steeply the error rate is spent over the looks (ρ above): 4 leaves three quarters of it to the last of five looks (measured: more power at the cap for about one sample more on average than 3). */
export const SPENDING_POWER = 4;

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: readonly number[]) => {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
};

/**
 * The two-sided error rate a verdict drawn from n samples may spend: the share of the first planned
 * look at or after n (a stop between looks, at a time budget, spends the next look's share, and
 * sampling never reaches that look), the last look's share past the schedule; the whole α without
 * a schedule (one fixed sample).
 */
export function lookAlpha(n: number, looks: readonly number[], alpha = 0.05): number {
  const ls = [...new Set(looks)].filter((x) => x > 0).sort((a, b) => a - b);
  if (ls.length <= 1) return alpha;
  const last = ls[ls.length - 1]!;
  const spent = (x: number) => alpha * (x / last) ** SPENDING_POWER;
  const i = ls.findIndex((x) => x >= n);
  const at = i === -1 ? ls.length - 1 : i;
  return spent(ls[at]!) - (at === 0 ? 0 : spent(ls[at - 1]!));
}

const quantiles = new Map<string, number>();
/** t quantiles for whole degrees of freedom are asked again and again (each look of each check): kept. */
function tQuantile(p: number, df: number): number {
  if (!Number.isInteger(df)) return studentTQuantile(p, df);
  const key = `${p}:${df}`;
  let q = quantiles.get(key);
  if (q === undefined) quantiles.set(key, (q = studentTQuantile(p, df)));
  return q;
}

function perLook(n: number, o: JudgeOptions): { p: number; label: string } {
  const a = lookAlpha(n, o.looks, o.alpha ?? 0.05);
  const level = 1 - a;
  const pct = `${Number((level * 100).toFixed(level > 0.999 ? 2 : 1))}%`;
  return {
    p: 1 - a / 2,
    label: o.looks.length > 1 ? `${pct} interval at look ${n} of ${o.looks.join('/')}:` : `${pct} interval`,
  };
}

/** Paired ratios B/A (one a round, from the same machine minutes apart): the verdict on their geometric mean. */
export function judgePaired(ratios: readonly number[], o: JudgeOptions): Comparison {
  const logs = ratios.filter((r) => r > 0 && Number.isFinite(r)).map(Math.log);
  const n = logs.length;
  const ratio = n ? Math.exp(mean(logs)) : Number.NaN;
  if (n < MIN_SAMPLES) return tooFew(ratio, n, o.maxDrop, o.direction);
  const { p, label } = perLook(n, o);
  const half = tQuantile(p, n - 1) * Math.sqrt(variance(logs) / n);
  return classify(ratio, { low: ratio * Math.exp(-half), high: ratio * Math.exp(half) }, o.maxDrop, o.direction, label);
}

/**
 * A run against a stored baseline: two independent samples (Welch's t on the logs). The looks are
 * the current run's (the baseline is fixed). The Welch–Satterthwaite degrees of freedom are rounded
 * down to a whole number: a slightly wider interval, and a quantile worked out once.
 */
export function judgeUnpaired(reference: readonly number[], current: readonly number[], o: JudgeOptions): Comparison {
  const ok = (xs: readonly number[]) => xs.filter((x) => x > 0 && Number.isFinite(x)).map(Math.log);
  const [a, b] = [ok(reference), ok(current)];
  const ratio = a.length && b.length ? Math.exp(mean(b) - mean(a)) : Number.NaN;
  if (a.length < MIN_SAMPLES || b.length < MIN_SAMPLES)
    return tooFew(ratio, Math.min(a.length, b.length), o.maxDrop, o.direction);
  const [va, vb] = [variance(a) / a.length, variance(b) / b.length];
  const se = Math.sqrt(va + vb);
  // Welch–Satterthwaite; both variances zero (identical figures) leave no noise to widen by
  const df =
    se === 0
      ? a.length + b.length - 2
      : Math.max(1, Math.floor((va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1))));
  const { p, label } = perLook(b.length, o);
  const half = tQuantile(p, df) * se;
  return classify(ratio, { low: ratio * Math.exp(-half), high: ratio * Math.exp(half) }, o.maxDrop, o.direction, label);
}

/**
 * For throughput (higher is better): regressed when the whole interval of the ratio
 * current/baseline lies below 1 − maxDrop — the drop is beyond the threshold and not noise;
 * improved: the mirror image; unchanged: no drop beyond the threshold is plausible (the interval
 * stays above 1 − maxDrop); inconclusive: the interval reaches past the threshold but not wholly —
 * the noise is wider than the threshold. For a cost (lower is better) the same with a rise:
 * regressed when the whole interval lies above 1 + maxDrop.
 * Deliberately conservative: on these noisy machines a false alarm costs more than a late one.
 * A fixed set of samples on each side is one look: judgeUnpaired with the whole 5%.
 */
export function compareSamples(
  baseline: readonly number[],
  current: readonly number[],
  maxDrop = 0.1,
  direction: Direction = 'higher',
): Comparison {
  return judgeUnpaired(baseline, current, { maxDrop, direction, looks: [current.length] });
}

/**
 * Without a reference (a run meant to become a baseline): precise when the interval of the
 * geometric mean, at the look's level, is narrower than the threshold.
 */
export function precise(samples: readonly number[], o: Pick<JudgeOptions, 'maxDrop' | 'looks' | 'alpha'>): boolean {
  const logs = samples.filter((x) => x > 0 && Number.isFinite(x)).map(Math.log);
  const n = logs.length;
  if (n < MIN_SAMPLES) return false;
  const { p } = perLook(n, { ...o, direction: 'higher' });
  const half = tQuantile(p, n - 1) * Math.sqrt(variance(logs) / n);
  return Math.exp(2 * half) - 1 <= o.maxDrop;
}
