import type { CheckOutcome } from '../checks/outcome.js';
import type { HostFacts } from '../host-facts.js';

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
  /** check name → measurement name → value. */
  measurements: Record<string, Record<string, number>>;
  counters?: Record<string, number>;
  teardown: { failures: string[] };
}
