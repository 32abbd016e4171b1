import { runCommand } from '../../lab/run-command.js';
import type { Scenario } from '../scenario/types.js';

/** The features that move throughput most; recorded with every run so records compare fairly. */
const FEATURES = ['tx-checksumming', 'rx-checksumming', 'scatter-gather', 'tcp-segmentation-offload', 'generic-segmentation-offload', 'generic-receive-offload', 'rx-gro-hw', 'rx-vlan-offload', 'tx-vlan-offload'];

export function parseEthtoolFeatures(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z0-9-]+): (on|off)/.exec(line.trim());
    if (m && FEATURES.includes(m[1]!)) out[m[1]!] = m[2]!;
  }
  return out;
}

export async function readOffloads(s: Scenario): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const v of s.veths) {
    for (const end of [v.a, v.b]) {
      const r = await runCommand(['ethtool', '-k', end.name], { netns: end.netns, reject: false });
      if (!r.failed) out[`${end.name}@${end.netns ?? 'default'}`] = parseEthtoolFeatures(r.stdout);
    }
  }
  return out;
}
