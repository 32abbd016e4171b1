import { COST_MEASUREMENT } from '../bpfstats/cost.js';
import type { Direction } from './verdict.js';

/**
 * The measurements a comparison judges, and which way is better. Other measurements (retransmits,
 * CPU, the runs counted) are evidence, not verdicts.
 */
export const JUDGED: Readonly<Record<string, Direction>> = {
  bits_per_second: 'higher',
  [COST_MEASUREMENT]: 'lower',
  // rr and crr (src/checks/latency.ts)
  latency_p50_us: 'lower',
  latency_p99_us: 'lower',
  connections_per_second: 'higher',
};

export function isJudged(measurement: string): boolean {
  return Object.hasOwn(JUDGED, measurement);
}
