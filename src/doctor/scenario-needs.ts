import type { Scenario } from '../scenario/types.js';
import type { Feature } from './probes.js';

/** The kernel features a scenario needs, known before anything is created. */
export function featuresOf(s: Scenario): Feature[] {
  const f = new Set<Feature>(['netns-veth']);
  const v6 = [...s.veths.flatMap((v) => [...v.a.addresses, ...v.b.addresses]), ...s.addresses.map((a) => a.cidr), ...(s.devices ?? []).flatMap((d) => d.addresses)].some((c) => c.family === 6);
  if (v6) f.add('ipv6');
  for (const d of s.devices ?? []) f.add(d.kind);
  if (s.qdiscs?.length) f.add('tbf');
  return [...f];
}
