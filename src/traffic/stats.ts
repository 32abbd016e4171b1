// Statistics of the behaviour checks: Pearson's chi-square test of a spread against its expected
// shares, the share of flows that moved between two spreads, and latency percentiles.

/** ln Γ(x), Lanczos (g = 7, n = 9): about 15 significant digits for x > 0. */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * The regularized upper incomplete gamma function Q(s, x) = Γ(s, x) / Γ(s): the series for P
 * below x < s + 1, Lentz's continued fraction for Q above (Numerical Recipes' split).
 */
export function gammaQ(s: number, x: number): number {
  if (x < 0 || s <= 0) return NaN;
  if (x === 0) return 1;
  const lead = -x + s * Math.log(x) - logGamma(s);
  if (x < s + 1) {
    let sum = 1 / s;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (s + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(lead);
  }
  const tiny = 1e-300;
  let b = x + 1 - s;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - s);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(lead) * h;
}

/** P(X² ≥ x) for a chi-square distribution with k degrees of freedom. */
export function chiSquareP(x: number, k: number): number {
  return gammaQ(k / 2, x / 2);
}

export interface ChiSquare {
  statistic: number;
  degreesOfFreedom: number;
  p: number;
}

/**
 * Pearson's test of observed counts against expected shares (which need not sum to 1: they are
 * normalized). A category expected to get nothing and getting nothing adds no degree of freedom.
 */
export function chiSquareTest(observed: number[], shares: number[]): ChiSquare {
  if (observed.length !== shares.length) throw new Error('one share per count');
  const n = observed.reduce((a, b) => a + b, 0);
  const total = shares.reduce((a, b) => a + b, 0);
  let statistic = 0;
  let cells = 0;
  observed.forEach((o, i) => {
    const e = (n * shares[i]!) / total;
    if (e === 0) {
      if (o > 0) statistic = Infinity;
      return;
    }
    cells++;
    statistic += (o - e) ** 2 / e;
  });
  const degreesOfFreedom = Math.max(cells - 1, 0);
  if (degreesOfFreedom === 0 || n === 0) return { statistic, degreesOfFreedom, p: statistic === Infinity ? 0 : 1 };
  return { statistic, degreesOfFreedom, p: statistic === Infinity ? 0 : chiSquareP(statistic, degreesOfFreedom) };
}

/** Of the flows (by source port) seen in both spreads, the share whose backend changed. */
export function movedShare(
  before: [number, string][],
  after: [number, string][],
): { compared: number; moved: number; share: number } | undefined {
  const was = new Map(before);
  let compared = 0;
  let moved = 0;
  for (const [port, backend] of after) {
    const b = was.get(port);
    if (b === undefined) continue;
    compared++;
    if (b !== backend) moved++;
  }
  return compared ? { compared, moved, share: moved / compared } : undefined;
}

/** The p-th percentile (0–100) by the nearest-rank method: a value that was measured, never interpolated. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}
