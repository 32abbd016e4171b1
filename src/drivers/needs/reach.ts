import { isIP } from 'node:net';
import { inCidr, isLoopback, sameIp, type Cidr } from '../../../lab/net.js';
import type { NetnsRef, Scenario } from '../../scenario/types.js';

/** A link's far end: the interface whose MAC answers for the addresses of its namespace. */
export interface End {
  netns: NetnsRef;
  dev: string;
}

/** How a namespace reaches an address, from the lab's own addresses and routes: its own, a next hop and its far end, or not at all. */
export type Reach =
  | { kind: 'local'; loopback: boolean }
  | { kind: 'link'; dev: string; nextHop: string; peer: End }
  | { kind: 'unreachable'; why: string };

interface Connected {
  dev: string;
  cidr: Cidr;
}

/** Every address of a namespace with its interface, lo's own included. */
function addressesIn(s: Scenario, ns: NetnsRef): Connected[] {
  const out: Connected[] = [
    { dev: 'lo', cidr: { address: '127.0.0.1', prefix: 8, family: 4 } },
    { dev: 'lo', cidr: { address: '::1', prefix: 128, family: 6 } },
  ];
  for (const e of s.veths.flatMap((v) => [v.a, v.b]))
    if (e.netns === ns) out.push(...e.addresses.map((cidr) => ({ dev: e.name, cidr })));
  for (const d of s.devices) if (d.netns === ns) out.push(...d.addresses.map((cidr) => ({ dev: d.name, cidr })));
  for (const a of s.addresses) if (a.netns === ns) out.push({ dev: a.dev, cidr: a.cidr });
  return out;
}

/** The other end of the veth that DEV is, or that DEV (a VLAN) sits on. */
export function farEnd(s: Scenario, ns: NetnsRef, dev: string): End | undefined {
  for (const v of s.veths) {
    if (v.a.netns === ns && v.a.name === dev) return { netns: v.b.netns, dev: v.b.name };
    if (v.b.netns === ns && v.b.name === dev) return { netns: v.a.netns, dev: v.a.name };
  }
  const vlan = s.devices.find((d) => d.kind === 'vlan' && d.netns === ns && d.name === dev);
  return vlan?.kind === 'vlan' ? farEnd(s, ns, vlan.link) : undefined;
}

/** The kernel's choice: the longest prefix among the connected subnets and the routes (a connected one wins a tie). */
function nextHopOf(s: Scenario, ns: NetnsRef, ip: string): { dev: string; nextHop: string } | { why: string } {
  const family = isIP(ip) as 4 | 6;
  let best: { prefix: number; dev: string; nextHop: string } | { prefix: number; why: string } | undefined;
  for (const c of addressesIn(s, ns)) {
    if (c.dev !== 'lo' && inCidr(ip, c.cidr) && (!best || c.cidr.prefix > best.prefix))
      best = { prefix: c.cidr.prefix, dev: c.dev, nextHop: ip };
  }
  for (const r of s.routes.filter((x) => x.netns === ns && x.family === family)) {
    const prefix = r.to === 'default' ? 0 : r.to.prefix;
    if ((r.to !== 'default' && !inCidr(ip, r.to)) || (best && prefix <= best.prefix)) continue;
    if (!r.via) {
      best = { prefix, dev: r.dev!, nextHop: ip };
      continue;
    }
    const gw = addressesIn(s, ns).find((c) => c.dev !== 'lo' && inCidr(r.via!, c.cidr) && (!r.dev || c.dev === r.dev));
    best = gw
      ? { prefix, dev: gw.dev, nextHop: r.via }
      : { prefix, why: `its route's gateway ${r.via} is on none of the namespace's links` };
  }
  if (!best) return { why: 'no interface there has an address in its subnet and no [[route]] covers it' };
  return 'why' in best ? { why: best.why } : { dev: best.dev, nextHop: best.nextHop };
}

export function reachFrom(s: Scenario, ns: NetnsRef, ip: string): Reach {
  const loopback = isLoopback(ip);
  if (loopback || addressesIn(s, ns).some((c) => sameIp(c.cidr.address, ip))) return { kind: 'local', loopback };
  const hop = nextHopOf(s, ns, ip);
  if ('why' in hop) return { kind: 'unreachable', why: hop.why };
  const peer = farEnd(s, ns, hop.dev);
  if (!peer)
    return {
      kind: 'unreachable',
      why: `its next hop ${hop.nextHop} is on ${hop.dev}, which is not a link of the lab's`,
    };
  // Linux answers ARP and neighbour solicitations for any address of its namespace on every link
  if (!addressesIn(s, peer.netns).some((c) => sameIp(c.cidr.address, hop.nextHop))) {
    return {
      kind: 'unreachable',
      why: `its next hop ${hop.nextHop} is on ${hop.dev}'s link, but no interface in ${peer.netns ?? 'the default namespace'} has that address`,
    };
  }
  return { kind: 'link', ...hop, peer };
}
