import type { RunRecord } from '../results/record.js';
import { fingerprintDiff, type Fingerprint, type FingerprintDiff } from '../stats/fingerprint.js';
import { summarize, type Summary } from '../stats/summary.js';
import { compareSamples, type Comparison, type Verdict } from '../stats/verdict.js';

/** What a run is compared with: a stored baseline or another run. */
export interface Reference {
  label: string;
  fingerprint: Fingerprint;
  samples: Record<string, Record<string, number[]>>;
}

export interface MeasurementComparison {
  check: string;
  measurement: string;
  baseline: Summary;
  current: Summary;
  comparison: Comparison;
}

export interface RecordComparison {
  scenario: string;
  driver: string;
  against: string;
  fingerprintDiffs: FingerprintDiff[];
  /** False when the fingerprints differ and --force was not given: nothing was judged. */
  compared: boolean;
  rows: MeasurementComparison[];
  worst: Verdict | 'none';
}

/** Throughput is what regresses; other measurements (retransmits, CPU) are evidence, not verdicts. */
export const JUDGED = 'bits_per_second';

const SEVERITY: Record<Verdict, number> = { regressed: 3, inconclusive: 2, unchanged: 1, improved: 0 };

export function compareRecord(current: RunRecord, ref: Reference, opts: { maxDrop?: number; force?: boolean } = {}): RecordComparison {
  const maxDrop = opts.maxDrop ?? 0.1;
  const fingerprintDiffs = fingerprintDiff(ref.fingerprint, current.fingerprint);
  const base: RecordComparison = { scenario: current.scenario.name, driver: current.driver.name, against: ref.label, fingerprintDiffs, compared: false, rows: [], worst: 'none' };
  if (fingerprintDiffs.length && !opts.force) return base;
  for (const [check, ms] of Object.entries(current.samples ?? {})) {
    const now = ms[JUDGED];
    const then = ref.samples[check]?.[JUDGED];
    if (!now?.length || !then?.length) continue;
    base.rows.push({ check, measurement: JUDGED, baseline: summarize(then), current: summarize(now), comparison: compareSamples(then, now, maxDrop) });
  }
  base.compared = true;
  base.worst = base.rows.reduce<Verdict | 'none'>((w, r) => (w === 'none' || SEVERITY[r.comparison.verdict] > SEVERITY[w] ? r.comparison.verdict : w), 'none');
  return base;
}

export function recordAsReference(r: RunRecord, label = `run ${r.id}`): Reference {
  return { label, fingerprint: r.fingerprint, samples: r.samples };
}
