import type { LbCostRecord } from '../bpfstats/cost.js';
import type { CheckOutcome } from '../checks/outcome.js';
import type { EventRecord } from '../events/schedule.js';
import type { AutoOutcome } from '../stats/adaptive.js';
import type { HostFacts } from '../host-facts.js';
import type { Fingerprint } from '../stats/fingerprint.js';
import type { Summary } from '../stats/summary.js';

export type RunStatus = 'passed' | 'failed' | 'interrupted' | 'error';

/** One run, as written to results/: never rewritten once written. */
export interface RunRecord {
  schema: 1;
  id: string;
  time: string;
  durationMs: number;
  scenario: { name: string; hash: string; files: string[]; params: Record<string, unknown> };
  driver: { name: string; version: string };
  zonlab: { version: string; commit: string };
  host: HostFacts;
  mode: 'sandbox' | 'host';
  /** ethtool -k of each lab interface: throughput depends on them. */
  offloads: Record<string, Record<string, string>>;
  status: RunStatus;
  error?: string;
  checks: CheckOutcome[];
  /** check name → measurement name → value (the median when the checks were repeated). */
  measurements: Record<string, Record<string, number>>;
  /** check name → measurement name → every counted sample, in order (warm-up runs left out). */
  samples: Record<string, Record<string, number[]>>;
  /** check name → measurement name → statistics of the samples. */
  stats: Record<string, Record<string, Summary>>;
  /** count: the samples of each throughput check (with --repeat auto, the most any check took; auto says why each stopped). */
  repeat: { count: number; warmup: boolean; auto?: AutoOutcome };
  fingerprint: Fingerprint;
  counters?: Record<string, number>;
  /** The load balancer's XDP programs and what each counted throughput sample cost them (runs with throughput checks). */
  lbCost?: LbCostRecord;
  /** [[event]]s applied to the load balancer during checks, in order, each with when and what came of it. */
  events?: EventRecord[];
  teardown: { failures: string[] };
}
