import { JUDGED } from './judged.js';
import { judgeUnpaired, lookSchedule, precise } from './sequential.js';
import { MIN_SAMPLES, type Verdict } from './verdict.js';

/** `--repeat auto`: sample until the verdict is clear, at most `max` samples and `budgetMs` of time. */
export interface AutoRepeat {
  max: number;
  budgetMs: number;
}

/** The first look at the verdict (lookSchedule's first): fewer samples spend error rate on intervals too wide to say anything. */
export const AUTO_FIRST_LOOK = 5;

/**
 * conclusive: every judged measurement's verdict against the reference cleared the threshold one
 * way or the other; precise: no reference, and the interval of each measurement is narrower than
 * the threshold; max/budget: the cap was hit first; failed: a sample failed.
 */
export type StopReason = 'conclusive' | 'precise' | 'max' | 'budget' | 'failed';

/** What a record keeps of --repeat auto: the limits, and per check how many samples it took and why it stopped. */
export interface AutoOutcome {
  max: number;
  budgetS: number;
  checks: Record<string, { samples: number; stoppedBy: StopReason }>;
}

/** The sample counts at which a run with these limits may stop and a verdict on it may be drawn: fixed --repeat N is one look at N. */
export function runLooks(repeat: { count: number; auto?: Pick<AutoOutcome, 'max'> }): number[] {
  return repeat.auto ? lookSchedule(repeat.auto.max, AUTO_FIRST_LOOK) : [repeat.count];
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
}

export interface AutoDecision {
  stop?: StopReason;
  /** At a look: what it said, per measurement (empty between looks). */
  looks: Record<string, Verdict | 'precise' | 'imprecise'>;
}

/**
 * Whether to take another sample. A verdict may stop sampling only at the planned looks
 * (lookSchedule(max): 5, 7, 10, 14, 20 for the default cap), each judged with its share of the
 * error rate (src/stats/sequential.ts): looking after every sample would give noise a chance to
 * cross a threshold at every sample. Between looks only the caps stop it.
 */
export function autoDecision(st: AutoState): AutoDecision {
  const schedule = lookSchedule(st.max, AUTO_FIRST_LOOK);
  const looks: AutoDecision['looks'] = {};
  if (schedule.includes(st.n)) {
    for (const [m, direction] of Object.entries(JUDGED)) {
      const now = st.current[m];
      if (!now?.length) continue;
      const ref = st.reference?.[m];
      if (ref && ref.length >= MIN_SAMPLES)
        looks[m] = judgeUnpaired(ref, now, { maxDrop: st.maxDrop, direction, looks: schedule }).verdict;
      else looks[m] = precise(now, { maxDrop: st.maxDrop, looks: schedule }) ? 'precise' : 'imprecise';
    }
  }
  const entries = Object.entries(looks);
  const settled = entries.length > 0 && entries.every(([, v]) => v !== 'inconclusive' && v !== 'imprecise');
  if (settled) return { stop: entries.every(([, v]) => v === 'precise') ? 'precise' : 'conclusive', looks };
  if (st.n >= st.max) return { stop: 'max', looks };
  if (st.leftMs < st.lastMs) return { stop: 'budget', looks };
  return { looks };
}
