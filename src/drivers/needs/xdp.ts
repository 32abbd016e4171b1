import type { Scenario } from '../../scenario/types.js';
import type { ZonlbConfig } from '../../zonlb/config.js';
import type { DriverName } from '../../scenario/types.js';
import type { Needs } from './index.js';
import { backendRoutes, neighbourNeeds, remoteFamilies, sysctlNeed, type BackendRoutes } from './backends.js';

/** An XDP forwarder using bpf_fib_lookup needs forwarding on its interfaces and a neighbour entry per next hop (else the packet goes to the kernel). */
export function xdpNeeds(
  driver: DriverName,
  config: ZonlbConfig,
  s: Scenario,
  routes: BackendRoutes = backendRoutes(driver, config, s),
): Needs {
  const sysctls = remoteFamilies(routes).flatMap((f) =>
    config.interfaces.map((i) =>
      sysctlNeed(
        driver,
        `net.ipv${f}.conf.${i}.forwarding`,
        `bpf_fib_lookup from ${i} answers "forwarding disabled" without it`,
      ),
    ),
  );
  return { sysctls, neighbours: neighbourNeeds(driver, routes), cannot: routes.cannot };
}
