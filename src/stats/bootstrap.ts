import { median, quantile, sorted } from './summary.js';

/** A small seeded PRNG (mulberry32): the same samples give the same verdict on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Percentile-bootstrap interval of median(current) / median(baseline): how much the throughput
 * changed, with the noise of both samples in it.
 */
export function ratioOfMediansCi(baseline: readonly number[], current: readonly number[], level = 0.95, rounds = 4000, seed = 0x5eed): { low: number; high: number } {
  const rand = prng(seed);
  const pick = (xs: readonly number[]) => {
    const out = new Array<number>(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = xs[Math.floor(rand() * xs.length)]!;
    return out;
  };
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) ratios.push(median(pick(current)) / median(pick(baseline)));
  const s = sorted(ratios);
  return { low: quantile(s, (1 - level) / 2), high: quantile(s, 1 - (1 - level) / 2) };
}
