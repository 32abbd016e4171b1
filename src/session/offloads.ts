import { runCommand } from '../../lab/run-command.js';
import type { Scenario } from '../scenario/types.js';

/** The features that move throughput most; recorded with every run so records compare fairly. */
const FEATURES = [
  'tx-checksumming',
  'rx-checksumming',
  'scatter-gather',
  'tcp-segmentation-offload',
  'generic-segmentation-offload',
  'generic-receive-offload',
  'rx-gro-hw',
  'rx-vlan-offload',
  'tx-vlan-offload',
];

export function parseEthtoolFeatures(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z0-9-]+): (on|off)/.exec(line.trim());
    if (m && FEATURES.includes(m[1]!)) out[m[1]!] = m[2]!;
  }
  return out;
}

/**
 * The interfaces whose offloads decide throughput: those the scenario tunes with ethtool and those
 * the load balancer attaches to (a large topology's hundreds of client links are not read).
 */
export async function readOffloads(s: Scenario): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  const lbIfs = new Set(s.lb.config?.interfaces ?? []);
  for (const v of s.veths) {
    const relevant = [v.a, v.b].some(
      (e) => Object.keys(e.ethtool).length > 0 || (e.netns === undefined && lbIfs.has(e.name)),
    );
    if (!relevant) continue;
    for (const end of [v.a, v.b]) {
      const r = await runCommand(['ethtool', '-k', end.name], { netns: end.netns, reject: false });
      if (!r.failed) out[`${end.name}@${end.netns ?? 'default'}`] = parseEthtoolFeatures(r.stdout);
    }
  }
  return out;
}
