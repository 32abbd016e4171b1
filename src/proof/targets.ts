import { sameIp } from '../../lab/net.js';
import { servicesOf } from '../scenario/services.js';
import type { CheckSpec, NetnsRef, Scenario } from '../scenario/types.js';
import type { ZonlbService } from '../zonlb/config.js';

/** A load-balanced service a check's packets are addressed to, and where its backends live. */
export interface LbTarget {
  service: ZonlbService;
  /** The namespaces that own the service's backend addresses (undefined: the default one). */
  backendNetns: NetnsRef[];
}

export { checkProtocol } from '../scenario/services.js';

/** The services a check targets, and where their backends live (a check declared `through = "none"` targets none). */
export function lbTargetsOf(c: CheckSpec, s: Scenario): LbTarget[] {
  if (c.through === 'none') return [];
  return servicesOf(c, s.lb.config?.services ?? []).map((service) => ({
    service,
    backendNetns: [...new Set(service.backends.flatMap((b) => owners(s, b.ip)))],
  }));
}

/** The namespaces where the lab puts an address (the lab's own, not the load balancer's view). */
export function owners(s: Scenario, ip: string): NetnsRef[] {
  const out: NetnsRef[] = [];
  for (const v of s.veths)
    for (const end of [v.a, v.b]) if (end.addresses.some((c) => sameIp(c.address, ip))) out.push(end.netns);
  for (const d of s.devices ?? []) if (d.addresses.some((c) => sameIp(c.address, ip))) out.push(d.netns);
  for (const a of s.addresses) if (sameIp(a.cidr.address, ip)) out.push(a.netns);
  return out;
}
