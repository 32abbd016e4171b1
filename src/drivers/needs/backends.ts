import { isIP } from 'node:net';
import type { Scenario } from '../../scenario/types.js';
import type { ZonlbConfig } from '../../zonlb/config.js';
import type { DriverName } from '../../scenario/types.js';
import type { NeighbourNeed, SysctlNeed } from './index.js';
import { reachFrom, type End } from './reach.js';

/** A next hop of the load balancer's namespace towards backends, and the backends behind it. */
export interface BackendHop {
  dev: string;
  nextHop: string;
  peer: End;
  family: 4 | 6;
  backends: string[];
}

export interface BackendRoutes {
  hops: BackendHop[];
  /** Backends on the load balancer's own loopback (127/8, ::1), by key. */
  loopback: { key: string; ip: string }[];
  cannot: string[];
}

/** Where each backend (and each dsr_l3 tunnel end, alt_addr) is, seen from the load balancer's namespace. */
export function backendRoutes(driver: DriverName, config: ZonlbConfig, s: Scenario): BackendRoutes {
  const out: BackendRoutes = { hops: [], loopback: [], cannot: [] };
  const unreachable = new Map<string, { keys: string[]; why: string }>();
  for (const b of config.services.flatMap((x) => x.backends)) {
    // alt_addr is a destination only for dsr_l3 (the tunnel's end); zon-lb keeps it otherwise unread
    for (const ip of [b.ip, ...(b.options.dsrL3 && b.options.altAddr ? [b.options.altAddr] : [])]) {
      const r = reachFrom(s, undefined, ip);
      if (r.kind === 'unreachable') {
        const u = unreachable.get(ip) ?? { keys: [], why: r.why };
        u.keys.push(b.key);
        unreachable.set(ip, u);
      } else if (r.kind === 'local') {
        if (r.loopback) out.loopback.push({ key: b.key, ip });
      } else {
        const hop = out.hops.find((h) => h.dev === r.dev && h.nextHop === r.nextHop);
        if (hop) hop.backends.push(b.key);
        else
          out.hops.push({
            dev: r.dev,
            nextHop: r.nextHop,
            peer: r.peer,
            family: isIP(r.nextHop) as 4 | 6,
            backends: [b.key],
          });
      }
    }
  }
  for (const [ip, u] of unreachable) {
    out.cannot.push(
      `the ${driver} driver cannot reach backend${u.keys.length > 1 ? 's' : ''} ${u.keys.join(', ')} (${ip}) from the load balancer's namespace: ${u.why}`,
    );
  }
  return out;
}

export function sysctlNeed(driver: DriverName, key: string, why: string): SysctlNeed {
  return { key, value: '1', need: { driver, why } };
}

/** Each backend's next hop resolved at load, so that the first packets find it in bpf_fib_lookup. */
export function neighbourNeeds(driver: DriverName, routes: BackendRoutes): NeighbourNeed[] {
  return routes.hops.map((h) => ({
    dev: h.dev,
    address: h.nextHop,
    peer: h.peer,
    need: {
      driver,
      why: `next hop of backend${h.backends.length > 1 ? 's' : ''} ${h.backends.join(', ')}: without it bpf_fib_lookup finds no neighbour and the first packets go to the kernel`,
    },
  }));
}

/** Families that have a backend off the load balancer's namespace. */
export function remoteFamilies(routes: BackendRoutes): (4 | 6)[] {
  return ([4, 6] as const).filter((f) => routes.hops.some((h) => h.family === f));
}

export function backendList(xs: { key: string; ip: string }[]): string {
  const ips = [...new Set(xs.map((x) => x.ip))];
  return `${ips.join(', ')} (backend${xs.length > 1 ? 's' : ''} ${xs.map((x) => x.key).join(', ')})`;
}
