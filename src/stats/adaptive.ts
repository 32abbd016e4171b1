import { JUDGED } from './judged.js';
import { median, medianCi } from './summary.js';
import { compareSamples, MIN_SAMPLES, type Verdict } from './verdict.js';

/** `--repeat auto`: sample until the verdict is clear, at most `max` samples and `budgetMs` of time. */
export interface AutoRepeat {
  max: number;
  budgetMs: number;
}

/** The first look at the verdict: below this many samples a bootstrap interval is mostly noise. */
export const AUTO_FIRST_LOOK = 5;

/**
 * conclusive: every judged measurement's verdict against the reference cleared the threshold one
 * way or the other; precise: no reference, and the median's 95% interval is narrower than the
 * threshold; max/budget: the cap was hit first; failed: a sample failed.
 */
export type StopReason = 'conclusive' | 'precise' | 'max' | 'budget' | 'failed';

/** What a record keeps of --repeat auto: the limits, and per check how many samples it took and why it stopped. */
export interface AutoOutcome {
  max: number;
  budgetS: number;
  checks: Record<string, { samples: number; stoppedBy: StopReason }>;
}

export interface AutoState {
  /** measurement → this check's samples so far. */
  current: Record<string, number[]>;
  /** measurement → the reference's samples (the baseline), when there is one. */
  reference?: Record<string, number[]>;
  /** Samples taken, failed ones included. */
  n: number;
  maxDrop: number;
  max: number;
  /** Time left for this check, and what the last sample took. */
  leftMs: number;
  lastMs: number;
  /** What the previous look said, per measurement. */
  previous?: Record<string, Verdict | 'precise' | 'imprecise'>;
}

export interface AutoDecision {
  stop?: StopReason;
  looks: Record<string, Verdict | 'precise' | 'imprecise'>;
}

/**
 * Whether to take another sample. Looking after every sample raises the chance that noise alone
 * crosses a threshold once, so a verdict stops sampling only when two looks in a row agree on it.
 */
export function autoDecision(st: AutoState): AutoDecision {
  const looks: AutoDecision['looks'] = {};
  if (st.n >= AUTO_FIRST_LOOK) {
    for (const [m, direction] of Object.entries(JUDGED)) {
      const now = st.current[m];
      if (!now?.length) continue;
      const ref = st.reference?.[m];
      if (ref && ref.length >= MIN_SAMPLES) looks[m] = compareSamples(ref, now, st.maxDrop, direction).verdict;
      else {
        const ci = medianCi(now);
        looks[m] = ci.level >= 0.95 && (ci.high - ci.low) / median(now) <= st.maxDrop ? 'precise' : 'imprecise';
      }
    }
  }
  const entries = Object.entries(looks);
  const settled = entries.length > 0 && entries.every(([m, v]) => v !== 'inconclusive' && v !== 'imprecise' && st.previous?.[m] === v);
  if (settled) return { stop: entries.every(([, v]) => v === 'precise') ? 'precise' : 'conclusive', looks };
  if (st.n >= st.max) return { stop: 'max', looks };
  if (st.leftMs < st.lastMs) return { stop: 'budget', looks };
  return { looks };
}
