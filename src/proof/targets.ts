import { isIP } from 'node:net';
import { sameIp } from '../../lab/net.js';
import type { CheckSpec, NetnsRef, Scenario } from '../scenario/types.js';
import type { ZonlbService } from '../zonlb/config.js';

/** A load-balanced service a check's packets are addressed to, and where its backends live. */
export interface LbTarget {
  service: ZonlbService;
  /** The namespaces that own the service's backend addresses (undefined: the default one). */
  backendNetns: NetnsRef[];
}

const TCP = 6;
const UDP = 17;

/** The IP protocol a check's client sends to its `to` address. */
export function checkProtocol(c: CheckSpec): number {
  if (c.kind === 'ping') return isIP(c.to) === 6 ? 58 : 1;
  if (c.kind === 'nc' || c.kind === 'spread') return c.proto === 'udp' ? UDP : TCP;
  if (c.kind === 'iperf3' && c.udp) return UDP;
  return TCP;
}

/** The services a check targets: same VIP, protocol and port, whatever netif declares the group (zon-lb's groups share one map). */
export function lbTargetsOf(c: CheckSpec, s: Scenario): LbTarget[] {
  const proto = checkProtocol(c);
  const port = c.kind === 'ping' ? undefined : c.port;
  return (s.lb.config?.services ?? [])
    .filter((svc) => sameIp(svc.vip, c.to) && svc.proto === proto && (port === undefined || svc.port === port))
    .map((service) => ({ service, backendNetns: [...new Set(service.backends.flatMap((b) => owners(s, b.ip)))] }));
}

/** The namespaces where the lab puts an address (the lab's own, not the load balancer's view). */
export function owners(s: Scenario, ip: string): NetnsRef[] {
  const out: NetnsRef[] = [];
  for (const v of s.veths) for (const end of [v.a, v.b]) if (end.addresses.some((c) => sameIp(c.address, ip))) out.push(end.netns);
  for (const d of s.devices ?? []) if (d.addresses.some((c) => sameIp(c.address, ip))) out.push(d.netns);
  for (const a of s.addresses) if (sameIp(a.cidr.address, ip)) out.push(a.netns);
  return out;
}
