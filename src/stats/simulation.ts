import { prng } from './bootstrap.js';
import { judgePaired, judgeUnpaired, lookSchedule } from './sequential.js';
import type { Direction, Verdict } from './verdict.js';

/**
 * Synthetic runs of the two sampling paths, to measure how often their verdicts are wrong: pure and
 * seeded (the same table on every machine). test/stats/simulation.test.ts asserts the bounds and
 * scripts/simulate-verdicts.mjs prints the table the README shows.
 *
 * - ab: rounds A B, B A, A B … (--repeat auto: a look at each of lookSchedule(max), stopping when
 *   the verdict on the paired ratios B/A is conclusive, else at max rounds);
 * - baseline: a stored baseline of `baselineSamples` samples taken at another time, and this run
 *   sampled with --repeat auto against it (Welch on the logs at the same looks).
 */
export interface SimCase {
  path: 'ab' | 'baseline';
  direction: Direction;
  /** Each sample's own noise: the standard deviation of its log (0.1: about 10%). */
  sigma: number;
  /**
   * ab: the level moves linearly by this much (log) over the 2·max samples a job can take, up or
   * down at random; baseline: the standard deviation of the level's move (log) between the
   * baseline's run and this one (the machine's load changed).
   */
  drift: number;
  /** ab: a CPU hog switching on and off: on `share` of the time, in stretches of `meanOn` samples on average, slowing what it overlaps by `factor`. */
  hog?: { share: number; factor: number; meanOn: number };
  maxDrop: number;
  /** The cap (--max-repeat): samples a side for the baseline path, rounds for ab. */
  max: number;
  baselineSamples?: number;
}

/** none: nothing changed; threshold: B is worse by exactly max-drop; twice: by twice max-drop. */
export type Truth = 'none' | 'threshold' | 'twice';
export const TRUTHS: readonly Truth[] = ['none', 'threshold', 'twice'];

export interface SimResult {
  case: SimCase;
  truth: Truth;
  runs: number;
  /** The share of runs that ended with each verdict. */
  rates: Record<Verdict, number>;
  /** Samples a side, on average, and the share of runs that went to the cap. */
  meanSamples: number;
  atCap: number;
}

/** The true ratio B/A (or current/baseline): worse by 0, 1 or 2 thresholds in the measure's bad direction. */
export function trueRatio(truth: Truth, c: Pick<SimCase, 'direction' | 'maxDrop'>): number {
  const k = truth === 'none' ? 0 : truth === 'threshold' ? 1 : 2;
  return c.direction === 'higher' ? 1 - k * c.maxDrop : 1 + k * c.maxDrop;
}

function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** One job of `ab --repeat auto`: the verdict and the rounds it took. */
function abRun(c: SimCase, ratio: number, rand: () => number, z: () => number): { verdict: Verdict; n: number } {
  const looks = lookSchedule(c.max);
  const slope = ((rand() < 0.5 ? -1 : 1) * c.drift) / (2 * c.max);
  // a slowdown lowers a throughput and raises a cost
  const slow = (f: number) => (c.direction === 'higher' ? 1 / f : f);
  const hog = c.hog;
  let on = hog ? rand() < hog.share : false;
  let slot = 0;
  const sample = (b: boolean) => {
    const v = Math.exp(slope * slot + c.sigma * z()) * (on && hog ? slow(hog.factor) : 1) * (b ? ratio : 1);
    slot++;
    // a two-state switch whose long-run share of "on" is hog.share
    if (hog) on = on ? rand() >= 1 / hog.meanOn : rand() < hog.share / (1 - hog.share) / hog.meanOn;
    return v;
  };
  const ratios: number[] = [];
  for (let r = 1; r <= c.max; r++) {
    let a: number, b: number;
    if (r % 2) {
      a = sample(false);
      b = sample(true);
    } else {
      b = sample(true);
      a = sample(false);
    }
    ratios.push(b / a);
    if (!looks.includes(r)) continue;
    const v = judgePaired(ratios, { maxDrop: c.maxDrop, direction: c.direction, looks }).verdict;
    if (v !== 'inconclusive' || r === c.max) return { verdict: v, n: r };
  }
  return { verdict: 'inconclusive', n: c.max };
}

/** One run against a stored baseline taken at another time. */
function baselineRun(c: SimCase, ratio: number, rand: () => number, z: () => number): { verdict: Verdict; n: number } {
  const looks = lookSchedule(c.max);
  const reference = Array.from({ length: c.baselineSamples ?? 10 }, () => Math.exp(c.sigma * z()));
  const level = ratio * Math.exp(c.drift * z());
  const current: number[] = [];
  for (let n = 1; n <= c.max; n++) {
    current.push(level * Math.exp(c.sigma * z()));
    if (!looks.includes(n)) continue;
    const v = judgeUnpaired(reference, current, { maxDrop: c.maxDrop, direction: c.direction, looks }).verdict;
    if (v !== 'inconclusive' || n === c.max) return { verdict: v, n };
  }
  return { verdict: 'inconclusive', n: c.max };
}

export function simulate(c: SimCase, truth: Truth, runs: number, seed: number): SimResult {
  const rand = prng(seed);
  const z = gaussian(rand);
  const ratio = trueRatio(truth, c);
  const rates: Record<Verdict, number> = { regressed: 0, improved: 0, unchanged: 0, inconclusive: 0 };
  let samples = 0;
  let atCap = 0;
  for (let i = 0; i < runs; i++) {
    const r = c.path === 'ab' ? abRun(c, ratio, rand, z) : baselineRun(c, ratio, rand, z);
    rates[r.verdict]++;
    samples += r.n;
    if (r.n === c.max) atCap++;
  }
  for (const k of Object.keys(rates) as Verdict[]) rates[k] /= runs;
  return { case: c, truth, runs, rates, meanSamples: samples / runs, atCap: atCap / runs };
}

/** Which of the bounds a row is expected to meet (false: the table shows it failing, and the test checks that it does). */
export interface Bounds {
  /** regressed when nothing changed ≤ 1% */
  falseAlarm: boolean;
  /** regressed when the true drop is exactly the threshold ≤ 5% */
  atThreshold: boolean;
  /** regressed at twice the threshold ≥ 90% within the cap */
  power: boolean;
}

export interface TableCase extends SimCase {
  note: string;
  expect: Bounds;
}

export const BOUND = { falseAlarm: 0.01, atThreshold: 0.05, power: 0.9 } as const;

const ALL: Bounds = { falseAlarm: true, atThreshold: true, power: true };
const HOG = { share: 0.3, factor: 2, meanOn: 4 };
const ab = { path: 'ab', maxDrop: 0.1, max: 20, drift: 0.2 } as const;
const stored = { path: 'baseline', maxDrop: 0.1, max: 20, baselineSamples: 10 } as const;

/** The README's table: `ab` under drift within the job and a CPU hog, a stored baseline under drift between runs. */
export const TABLE: readonly TableCase[] = [
  { ...ab, direction: 'higher', sigma: 0.05, note: '', expect: ALL },
  { ...ab, direction: 'higher', sigma: 0.1, note: '', expect: ALL },
  {
    ...ab,
    direction: 'higher',
    sigma: 0.15,
    note: 'too noisy for the power within 20 rounds',
    expect: { ...ALL, power: false },
  },
  { ...ab, direction: 'higher', sigma: 0.15, max: 50, note: '--max-repeat 50', expect: ALL },
  {
    ...ab,
    direction: 'higher',
    sigma: 0.1,
    hog: HOG,
    note: 'a hog halves 30% of the samples: wider intervals, never a false regression',
    expect: { ...ALL, power: false },
  },
  { ...ab, direction: 'lower', sigma: 0.05, note: 'cost per packet', expect: ALL },
  {
    ...ab,
    direction: 'lower',
    sigma: 0.1,
    note: 'cost: a rise to 1.2 is a smaller step from 1.1 on a log scale than a drop to 0.8 from 0.9',
    expect: { ...ALL, power: false },
  },
  { ...ab, direction: 'lower', sigma: 0.1, max: 40, note: 'cost, --max-repeat 40', expect: ALL },
  { ...ab, direction: 'lower', sigma: 0.1, hog: HOG, note: 'cost per packet, hog', expect: { ...ALL, power: false } },
  { ...stored, direction: 'higher', sigma: 0.05, drift: 0, note: '', expect: ALL },
  { ...stored, direction: 'higher', sigma: 0.05, drift: 0.01, note: '', expect: ALL },
  {
    ...stored,
    direction: 'higher',
    sigma: 0.05,
    drift: 0.03,
    note: 'drift between runs',
    expect: { ...ALL, atThreshold: false },
  },
  {
    ...stored,
    direction: 'higher',
    sigma: 0.05,
    drift: 0.1,
    note: 'drift between runs',
    expect: { falseAlarm: false, atThreshold: false, power: false },
  },
  {
    ...stored,
    direction: 'higher',
    sigma: 0.1,
    drift: 0,
    note: "the baseline's own noise",
    expect: { ...ALL, power: false },
  },
  {
    ...stored,
    direction: 'higher',
    sigma: 0.1,
    drift: 0,
    baselineSamples: 20,
    note: 'a baseline of 20 samples',
    expect: ALL,
  },
  { ...stored, direction: 'lower', sigma: 0.05, drift: 0, note: 'cost per packet', expect: ALL },
];

export const TABLE_RUNS = 2000;

export interface TableRow {
  case: TableCase;
  none: SimResult;
  threshold: SimResult;
  twice: SimResult;
}

/** Every row of TABLE, each truth with its own seed: what the test asserts and the script prints. */
export function simulationTable(runs = TABLE_RUNS): TableRow[] {
  return TABLE.map((c, i) => {
    const [none, threshold, twice] = TRUTHS.map((t, j) => simulate(c, t, runs, 0x20_000 + 16 * i + j));
    return { case: c, none: none!, threshold: threshold!, twice: twice! };
  });
}

/** The table as Markdown. */
export function tableMarkdown(rows: readonly TableRow[]): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const mark = (ok: boolean, s: string) => (ok ? s : `**${s}**`);
  const head = [
    '| path | measure | noise σ | drift | cap | regressed, nothing changed (≤ 1%) | regressed, drop = threshold (≤ 5%) | regressed, drop = 2× threshold (≥ 90%) | unchanged, nothing changed | samples a side (mean: none / threshold / 2×) | note |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const lines = rows.map(({ case: c, none, threshold, twice }) => {
    const drift =
      c.path === 'ab' ? `${pct(c.drift)} within the job${c.hog ? ' + hog' : ''}` : `${pct(c.drift)} between runs`;
    const path = c.path === 'ab' ? '`ab`' : `baseline (${c.baselineSamples ?? 10} samples)`;
    const cells = [
      path,
      c.direction === 'higher' ? 'throughput' : 'cost',
      pct(c.sigma),
      drift,
      String(c.max),
      mark(none.rates.regressed <= BOUND.falseAlarm, pct(none.rates.regressed)),
      mark(threshold.rates.regressed <= BOUND.atThreshold, pct(threshold.rates.regressed)),
      mark(twice.rates.regressed >= BOUND.power, pct(twice.rates.regressed)),
      pct(none.rates.unchanged),
      [none, threshold, twice].map((r) => r.meanSamples.toFixed(1)).join(' / '),
      c.note,
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [...head, ...lines].join('\n');
}
