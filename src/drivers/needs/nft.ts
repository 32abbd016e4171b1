import { isIP } from 'node:net';
import type { Scenario } from '../../scenario/types.js';
import type { ZonlbConfig } from '../../zonlb/config.js';
import type { Needs } from './index.js';
import { backendList, backendRoutes, remoteFamilies, sysctlNeed } from './backends.js';

/** nft is the kernel's DNAT: the kernel routes every packet, so it needs forwarding (and route_localnet for a loopback backend). */
export function nftNeeds(config: ZonlbConfig, s: Scenario): Needs {
  const routes = backendRoutes('nft', config, s);
  const loopback = routes.loopback.filter((b) => isIP(b.ip) === 4);
  const families = remoteFamilies(routes);
  const replyLinks = routes.hops.filter((h) => h.family === 4).map((h) => h.dev);
  const sysctls = [
    ...(loopback.length
      ? config.interfaces.map((i) =>
          sysctlNeed(
            'nft',
            `net.ipv4.conf.${i}.route_localnet`,
            `DNAT to ${backendList(loopback)} arrives on ${i}, where a 127/8 destination is a martian without it`,
          ),
        )
      : []),
    ...(families.includes(4)
      ? [...new Set([...config.interfaces, ...replyLinks])].map((i) =>
          sysctlNeed(
            'nft',
            `net.ipv4.conf.${i}.forwarding`,
            `the kernel forwards what arrives on ${i} (${replyLinks.includes(i) ? 'replies' : 'DNATed requests'}) only with it`,
          ),
        )
      : []),
    ...(families.includes(6)
      ? [
          sysctlNeed(
            'nft',
            'net.ipv6.conf.all.forwarding',
            'the kernel forwards IPv6 only when forwarding is on for all interfaces',
          ),
        ]
      : []),
  ];
  return { sysctls, neighbours: [], cannot: routes.cannot };
}
