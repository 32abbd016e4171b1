import { COST_MEASUREMENT, formatNs } from '../bpfstats/cost.js';
import { formatRate } from '../rate.js';

/** A judged measurement's value as a person reads it. */
export function formatMeasurement(measurement: string, v: number | undefined): string {
  return measurement === COST_MEASUREMENT ? `${formatNs(v)}/packet` : formatRate(v);
}

export function measurementLabel(measurement: string): string {
  return measurement === COST_MEASUREMENT ? 'LB cost' : 'throughput';
}

export const signedPct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`;
