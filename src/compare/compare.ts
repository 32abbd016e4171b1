import type { Baseline } from '../baseline/store.js';
import type { RunRecord } from '../results/record.js';
import { fingerprintDiff, fingerprintNotes, type Fingerprint, type FingerprintDiff } from '../stats/fingerprint.js';
import { JUDGED } from '../stats/judged.js';
import { summarize, type Summary } from '../stats/summary.js';
import { runLooks } from '../stats/adaptive.js';
import { judgeUnpaired } from '../stats/sequential.js';
import type { Comparison, Verdict } from '../stats/verdict.js';
import { identityOf, sameIdentity, type LbIdentity } from '../results/identity.js';

/** What a run is compared with: a stored baseline or another run. */
export interface Reference {
  label: string;
  fingerprint: Fingerprint;
  samples: Record<string, Record<string, number[]>>;
  /** The load balancer it measured (older baselines: the driver's version only). */
  identity?: LbIdentity;
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
  /** What differs without blocking (CPU model, kernel build, tool versions): shown beside the verdict. */
  notes: FingerprintDiff[];
  /** The load balancer on each side: what the comparison is across. */
  identity: { baseline: LbIdentity; current: LbIdentity; same: boolean };
  /** False when the fingerprints differ and --force was not given: nothing was judged. */
  compared: boolean;
  rows: MeasurementComparison[];
  worst: Verdict | 'none';
}

const SEVERITY: Record<Verdict, number> = { regressed: 3, inconclusive: 2, unchanged: 1, improved: 0 };

export function compareRecord(
  current: RunRecord,
  ref: Reference,
  opts: { maxDrop?: number; force?: boolean } = {},
): RecordComparison {
  const maxDrop = opts.maxDrop ?? 0.1;
  const fingerprintDiffs = fingerprintDiff(ref.fingerprint, current.fingerprint);
  const now = identityOf(current);
  const then = ref.identity ?? { driver: ref.fingerprint.driver, version: ref.fingerprint.driverVersion, programs: [] };
  const identity = { baseline: then, current: now, same: sameIdentity(then, now) };
  const base: RecordComparison = {
    scenario: current.scenario.name,
    driver: current.driver.name,
    against: ref.label,
    fingerprintDiffs,
    notes: fingerprintNotes(ref.fingerprint, current.fingerprint),
    identity,
    compared: false,
    rows: [],
    worst: 'none',
  };
  if (fingerprintDiffs.length && !opts.force) return base;
  // the verdict spends the error rate over the looks that could have stopped this run's sampling
  const looks = runLooks(current.repeat ?? { count: 1 });
  for (const [check, ms] of Object.entries(current.samples ?? {})) {
    for (const [measurement, direction] of Object.entries(JUDGED)) {
      const xs = ms[measurement];
      const ys = ref.samples[check]?.[measurement];
      if (!xs?.length || !ys?.length) continue;
      base.rows.push({
        check,
        measurement,
        baseline: summarize(ys),
        current: summarize(xs),
        comparison: judgeUnpaired(ys, xs, { maxDrop, direction, looks }),
      });
    }
  }
  base.compared = true;
  base.worst = base.rows.reduce<Verdict | 'none'>(
    (w, r) => (w === 'none' || SEVERITY[r.comparison.verdict] > SEVERITY[w] ? r.comparison.verdict : w),
    'none',
  );
  return base;
}

export function recordAsReference(r: RunRecord, label = `run ${r.id}`): Reference {
  return { label, fingerprint: r.fingerprint, samples: r.samples, identity: identityOf(r) };
}

export function baselineAsReference(b: Baseline): Reference {
  return {
    label: `baseline (run ${b.fromRun}, ${b.saved.slice(0, 10)})`,
    fingerprint: b.fingerprint,
    samples: b.samples,
    identity: b.identity,
  };
}
