import type { Scenario } from '../../scenario/types.js';
import type { ZonlbConfig } from '../../zonlb/config.js';
import type { DriverName } from '../driver.js';
import type { Needs } from './index.js';
import { backendRoutes, neighbourNeeds, remoteFamilies, sysctlNeed, type BackendRoutes } from './backends.js';

/**
 * What an XDP load balancer that forwards with bpf_fib_lookup from its ingress interface needs
 * (zon-lb and the embedded driver): forwarding on each interface it is attached to (else the
 * lookup answers "forwarding disabled"), and a neighbour entry for each backend's next hop (else
 * it answers "no neighbour" and the packet goes to the kernel, which zon-lb's examples avoid by
 * pinging every peer in setup.sh).
 */
export function xdpNeeds(driver: DriverName, config: ZonlbConfig, s: Scenario, routes: BackendRoutes = backendRoutes(driver, config, s)): Needs {
  const sysctls = remoteFamilies(routes).flatMap((f) => config.interfaces.map((i) => sysctlNeed(driver, `net.ipv${f}.conf.${i}.forwarding`, `bpf_fib_lookup from ${i} answers "forwarding disabled" without it`)));
  return { sysctls, neighbours: neighbourNeeds(driver, routes), cannot: routes.cannot };
}
