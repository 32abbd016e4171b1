/** The one bit-rate formatter: Gbit/s, Mbit/s or kbit/s; `missing` for no value. */
export function formatRate(bps: number | undefined, missing = '-'): string {
  if (bps === undefined || !Number.isFinite(bps)) return missing;
  if (bps >= 1e9) return `${(bps / 1e9).toFixed(2)} Gbit/s`;
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} Mbit/s`;
  return `${(bps / 1e3).toFixed(0)} kbit/s`;
}
