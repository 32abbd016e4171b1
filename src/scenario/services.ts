import { isIP } from 'node:net';
import { sameIp } from '../../lab/net.js';
import type { ZonlbService } from '../zonlb/config.js';
import type { CheckSpec } from './types.js';
import { IPPROTO, protocolName } from '../ip-protocols.js';

/** The IP protocol a check's client sends to its `to` address. */
export function checkProtocol(c: Pick<CheckSpec, 'kind' | 'to'> & { proto?: string; udp?: boolean }): number {
  if (c.kind === 'ping') return isIP(c.to) === 6 ? IPPROTO.icmpv6 : IPPROTO.icmp;
  if (c.kind === 'nc' || c.kind === 'spread') return c.proto === 'udp' ? IPPROTO.udp : IPPROTO.tcp;
  if (c.kind === 'iperf3' && c.udp) return IPPROTO.udp;
  return IPPROTO.tcp;
}

/** The services a check's packets are addressed to: same VIP, protocol and port, whatever netif declares the group (zon-lb's groups share one map). */
export function servicesOf(c: CheckSpec, services: readonly ZonlbService[]): ZonlbService[] {
  const proto = checkProtocol(c);
  const port = c.kind === 'ping' ? undefined : c.port;
  return services.filter(
    (svc) => sameIp(svc.vip, c.to) && svc.proto === proto && (port === undefined || svc.port === port),
  );
}

/** For a check that reaches no service: the ones it could have meant (its VIP, else its protocol and port, else all), as "gid 1 (10.0.0.1 tcp/23)". */
export function nearServices(c: CheckSpec, services: readonly ZonlbService[]): string[] {
  const name = (svc: ZonlbService) =>
    `gid ${svc.gid} (${svc.vip} ${protocolName(svc.proto)}${svc.port ? `/${svc.port}` : ''})`;
  const sameVip = services.filter((svc) => sameIp(svc.vip, c.to));
  const sameProto = services.filter(
    (svc) => svc.proto === checkProtocol(c) && (c.kind === 'ping' || svc.port === c.port),
  );
  return (sameVip.length ? sameVip : sameProto.length ? sameProto : services).map(name);
}
