import type { ToolVersions } from '../host-facts.js';

/**
 * What a throughput figure depends on besides the code under test. Two runs whose compared keys
 * differ are not compared (unless --force); the rest is recorded and shown beside the verdict.
 */
export interface Fingerprint {
  kernel: string;
  /** Shown beside a verdict, not compared: hosted CI runners differ in CPU model from run to run, and the count and the kernel matter more. */
  cpuModel: string;
  cpus: number;
  driver: string;
  /** The load balancer's identity, recorded but never compared: it is what CI compares across. */
  driverVersion: string;
  scenarioHash: string;
  /** "iface@netns feature" → on/off */
  offloads: Record<string, string>;
  /** uname -v (shown, not compared; absent in older records). */
  kernelVersion?: string;
  /** iperf3, iperf, nft as each prints its version (shown, not compared; absent in older records). */
  tools?: ToolVersions;
}

export interface FingerprintDiff {
  key: string;
  baseline: string;
  current: string;
}

/** What blocks a comparison: the environment that moves figures most, never the load balancer's version (a new build is what a comparison is for). */
const COMPARED = ['kernel', 'cpus', 'driver', 'scenarioHash'] as const;

export function fingerprintDiff(a: Fingerprint, b: Fingerprint): FingerprintDiff[] {
  const out: FingerprintDiff[] = [];
  for (const key of COMPARED) {
    if (String(a[key]) !== String(b[key])) out.push({ key, baseline: String(a[key]), current: String(b[key]) });
  }
  const keys = new Set([...Object.keys(a.offloads), ...Object.keys(b.offloads)]);
  for (const k of [...keys].sort()) {
    if (a.offloads[k] !== b.offloads[k])
      out.push({ key: `offload ${k}`, baseline: a.offloads[k] ?? 'absent', current: b.offloads[k] ?? 'absent' });
  }
  return out;
}

/** What differs but does not block: printed beside the verdict (the CPU model, the kernel's build, the tools' versions); a side that did not record one is not a difference. */
export function fingerprintNotes(a: Fingerprint, b: Fingerprint): FingerprintDiff[] {
  const pairs: [string, string | undefined, string | undefined][] = [
    ['cpuModel', a.cpuModel, b.cpuModel],
    ['kernelVersion', a.kernelVersion, b.kernelVersion],
    ...(['iperf3', 'iperf', 'nft'] as const).map((t): [string, string | undefined, string | undefined] => [
      t,
      a.tools?.[t],
      b.tools?.[t],
    ]),
  ];
  return pairs
    .filter(([, x, y]) => x !== undefined && y !== undefined && x !== y)
    .map(([key, x, y]) => ({ key, baseline: x!, current: y! }));
}

export function flattenOffloads(offloads: Record<string, Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [iface, features] of Object.entries(offloads))
    for (const [f, v] of Object.entries(features)) out[`${iface} ${f}`] = v;
  return out;
}
