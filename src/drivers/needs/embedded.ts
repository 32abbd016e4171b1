import { isIP } from 'node:net';
import type { Scenario } from '../../scenario/types.js';
import type { ZonlbConfig } from '../../zonlb/config.js';
import type { Needs } from './index.js';
import { backendList, backendRoutes, remoteFamilies, sysctlNeed } from './backends.js';
import { xdpNeeds } from './xdp.js';

/** The embedded driver: what every XDP forwarder needs, and for what its program hands to the kernel (loopback backends, unredirectable
 * packets, L2 DSR replies) accept_local, route_localnet and IPv6 forwarding on the backend's link alone. */
export function embeddedNeeds(config: ZonlbConfig, s: Scenario): Needs {
  const routes = backendRoutes('embedded', config, s);
  const xdp = xdpNeeds('embedded', config, s, routes);
  const loopback = routes.loopback.filter((b) => isIP(b.ip) === 4);
  const ifs = config.interfaces;
  const sysctls = [
    ...ifs.flatMap((i) =>
      loopback.length
        ? [
            sysctlNeed(
              'embedded',
              `net.ipv4.conf.${i}.route_localnet`,
              `the program hands packets for ${backendList(loopback)} to the kernel on ${i}, where a 127/8 destination is a martian without it`,
            ),
          ]
        : [],
    ),
    ...xdp.sysctls,
    ...(remoteFamilies(routes).includes(4)
      ? ifs.map((i) =>
          sysctlNeed(
            'embedded',
            `net.ipv4.conf.${i}.accept_local`,
            `a rewritten packet it hands to the kernel on ${i} (too big to redirect, next hop not resolved) has a local source, a martian without it`,
          ),
        )
      : []),
  ];
  const dsr = new Set(config.services.flatMap((x) => x.backends.filter((b) => b.options.dsrL2).map((b) => b.key)));
  for (const h of routes.hops.filter((x) => x.backends.some((k) => dsr.has(k)))) {
    const why = `L2 DSR: the replies of ${h.backends.join(', ')} come back from the VIP on ${h.dev} and the kernel forwards them to the client`;
    if (h.family === 4)
      sysctls.push(
        sysctlNeed('embedded', `net.ipv4.conf.${h.dev}.accept_local`, why),
        sysctlNeed('embedded', `net.ipv4.conf.${h.dev}.forwarding`, why),
      );
    else sysctls.push(sysctlNeed('embedded', `net.ipv6.conf.${h.dev}.force_forwarding`, why));
  }
  return { ...xdp, sysctls };
}
