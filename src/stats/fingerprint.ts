/**
 * What a throughput figure depends on besides the code under test. Two runs whose fingerprints
 * differ are not compared (unless --force).
 */
export interface Fingerprint {
  kernel: string;
  cpuModel: string;
  cpus: number;
  driver: string;
  /** The load balancer's identity, recorded but never compared: it is what CI compares across. */
  driverVersion: string;
  scenarioHash: string;
  /** "iface@netns feature" → on/off */
  offloads: Record<string, string>;
}

export interface FingerprintDiff {
  key: string;
  baseline: string;
  current: string;
}

/** The environment, never the load balancer's version: a new build is what a comparison is for. */
const COMPARED = ['kernel', 'cpuModel', 'cpus', 'driver', 'scenarioHash'] as const;

export function fingerprintDiff(a: Fingerprint, b: Fingerprint): FingerprintDiff[] {
  const out: FingerprintDiff[] = [];
  for (const key of COMPARED) {
    if (String(a[key]) !== String(b[key])) out.push({ key, baseline: String(a[key]), current: String(b[key]) });
  }
  const keys = new Set([...Object.keys(a.offloads), ...Object.keys(b.offloads)]);
  for (const k of [...keys].sort()) {
    if (a.offloads[k] !== b.offloads[k]) out.push({ key: `offload ${k}`, baseline: a.offloads[k] ?? 'absent', current: b.offloads[k] ?? 'absent' });
  }
  return out;
}

export function flattenOffloads(offloads: Record<string, Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [iface, features] of Object.entries(offloads)) for (const [f, v] of Object.entries(features)) out[`${iface} ${f}`] = v;
  return out;
}
