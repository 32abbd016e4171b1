import { performance } from 'node:perf_hooks';
import type { CheckOutcome } from '../checks/outcome.js';
import { autoDecision, type AutoOutcome, type AutoRepeat } from '../stats/adaptive.js';

/** A fixed number of samples per throughput check, or `--repeat auto`. */
export type RepeatSpec = number | { auto: AutoRepeat };

export interface SamplingOptions {
  repeat: RepeatSpec;
  warmup: boolean;
  maxDrop: number;
  /** check → measurement → the baseline's samples: what `auto` judges against. */
  reference?: Record<string, Record<string, number[]>>;
}

/** Which repetitions a throughput check runs: 0 (warm-up), then 1…count, or with auto until the policy stops; the time budget is shared. */
export class Sampling {
  private readonly outcomes = new Map<string, CheckOutcome[]>();
  private readonly auto?: AutoOutcome;
  private budgetLeftMs: number;
  private checksLeft: number;
  private most = 0;

  constructor(
    private readonly o: SamplingOptions,
    throughputChecks: number,
  ) {
    const a = typeof o.repeat === 'number' ? undefined : o.repeat.auto;
    if (a) this.auto = { max: a.max, budgetS: a.budgetMs / 1000, checks: {} };
    this.budgetLeftMs = a?.budgetMs ?? Infinity;
    this.checksLeft = throughputChecks;
  }

  done(check: string, outcome: CheckOutcome): void {
    this.outcomes.set(check, [...(this.outcomes.get(check) ?? []), outcome]);
  }

  label(repetition: number): string {
    if (repetition === 0) return ' warm-up';
    if (this.auto) return ` ${repetition} (auto, at most ${this.auto.max})`;
    return this.o.repeat === 1 ? '' : ` ${repetition}/${this.o.repeat as number}`;
  }

  *repetitions(check: string): Generator<number> {
    const t0 = performance.now();
    const share = this.budgetLeftMs / Math.max(1, this.checksLeft);
    if (this.o.warmup) yield 0;
    let n = 0;
    try {
      for (;;) {
        const t = performance.now();
        yield ++n;
        const lastMs = performance.now() - t;
        if (!this.auto) {
          if (n >= (this.o.repeat as number)) return;
          continue;
        }
        const counted = (this.outcomes.get(check) ?? []).filter((x) => x.repetition !== 0);
        const d = autoDecision({
          current: measurementSamples(counted),
          reference: this.o.reference?.[check],
          n,
          maxDrop: this.o.maxDrop,
          max: this.auto.max,
          leftMs: share - (performance.now() - t0),
          lastMs,
        });
        const stop = counted.some((x) => x.status !== 'passed') ? 'failed' : d.stop;
        if (stop) {
          this.auto.checks[check] = { samples: n, stoppedBy: stop };
          return;
        }
      }
    } finally {
      // also when the run is interrupted and stops asking
      this.most = Math.max(this.most, n);
      this.budgetLeftMs -= performance.now() - t0;
      this.checksLeft--;
    }
  }

  /** What the record keeps: the count (the most samples a check took) and, with auto, why each stopped. */
  summary(): { count: number; warmup: boolean; auto?: AutoOutcome } {
    return {
      count: this.auto ? this.most : (this.o.repeat as number),
      warmup: this.o.warmup,
      ...(this.auto ? { auto: this.auto } : {}),
    };
  }
}

/** measurement → values, over the outcomes that passed. */
export function measurementSamples(outcomes: CheckOutcome[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const o of outcomes) {
    if (o.status !== 'passed' || !o.measurements) continue;
    for (const [m, v] of Object.entries(o.measurements)) if (Number.isFinite(v)) (out[m] ??= []).push(v);
  }
  return out;
}
