/**
 * Robust statistics of a small sample of throughput figures. These machines are noisy, so the
 * centre is the median, the spread the MAD and the IQR, and the median's confidence interval is
 * distribution-free (order statistics of the binomial), not a normal approximation.
 */
export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  mean: number;
  /** Median absolute deviation from the median (unscaled). */
  mad: number;
  iqr: number;
  /** Confidence interval of the median, and the coverage it really has (exact, ≥ the level asked where n allows). */
  ci: { low: number; high: number; level: number };
}

export function sorted(xs: readonly number[]): number[] {
  return [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
}

export function median(xs: readonly number[]): number {
  return quantile(sorted(xs), 0.5);
}

/** Linear interpolation between order statistics (type 7, as R and NumPy default). */
export function quantile(s: readonly number[], q: number): number {
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export function summarize(xs: readonly number[], level = 0.95): Summary {
  const s = sorted(xs);
  const n = s.length;
  if (n === 0)
    return { n, median: NaN, min: NaN, max: NaN, mean: NaN, mad: NaN, iqr: NaN, ci: { low: NaN, high: NaN, level: 0 } };
  const med = quantile(s, 0.5);
  return {
    n,
    median: med,
    min: s[0]!,
    max: s[n - 1]!,
    mean: s.reduce((a, b) => a + b, 0) / n,
    mad: median(s.map((x) => Math.abs(x - med))),
    iqr: quantile(s, 0.75) - quantile(s, 0.25),
    ci: medianCi(s, level),
  };
}

/**
 * The interval [x(j), x(n+1-j)] covers the median with probability 1 - 2·P(B ≤ j-1), B ~ Bin(n, ½).
 * The widest j that still reaches the level is taken; below n = 6 no j reaches 95 %, and the
 * interval is the whole range with its real, lower coverage.
 */
export function medianCi(xs: readonly number[], level = 0.95): { low: number; high: number; level: number } {
  const s = sorted(xs);
  const n = s.length;
  if (n === 0) return { low: NaN, high: NaN, level: 0 };
  let best = { low: s[0]!, high: s[n - 1]!, level: 1 - 2 * binomCdf(0, n) };
  for (let j = 1; j <= Math.floor(n / 2); j++) {
    const coverage = 1 - 2 * binomCdf(j - 1, n);
    if (coverage < level) break;
    best = { low: s[j - 1]!, high: s[n - j]!, level: coverage };
  }
  return best;
}

/** P(B ≤ k) for B ~ Bin(n, ½). */
export function binomCdf(k: number, n: number): number {
  if (k < 0) return 0;
  let term = Math.pow(0.5, n);
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term = (term * (n - i + 1)) / i;
    sum += term;
  }
  return Math.min(1, sum);
}
