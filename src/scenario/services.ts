import { isIP } from 'node:net';
import { sameIp } from '../../lab/net.js';
import type { ZonlbService } from '../zonlb/config.js';
import type { CheckSpec } from './types.js';

const TCP = 6;
const UDP = 17;

/** The IP protocol a check's client sends to its `to` address. */
export function checkProtocol(c: Pick<CheckSpec, 'kind' | 'to'> & { proto?: string; udp?: boolean }): number {
  if (c.kind === 'ping') return isIP(c.to) === 6 ? 58 : 1;
  if (c.kind === 'nc' || c.kind === 'spread') return c.proto === 'udp' ? UDP : TCP;
  if (c.kind === 'iperf3' && c.udp) return UDP;
  return TCP;
}

/** The services a check's packets are addressed to: same VIP, protocol and port, whatever netif declares the group (zon-lb's groups share one map). */
export function servicesOf(c: CheckSpec, services: readonly ZonlbService[]): ZonlbService[] {
  const proto = checkProtocol(c);
  const port = c.kind === 'ping' ? undefined : c.port;
  return services.filter((svc) => sameIp(svc.vip, c.to) && svc.proto === proto && (port === undefined || svc.port === port));
}

/** For a check that reaches no service: the ones it could have meant (its VIP, else its protocol and port, else all), as "gid 1 (10.0.0.1 tcp/23)". */
export function nearServices(c: CheckSpec, services: readonly ZonlbService[]): string[] {
  const name = (svc: ZonlbService) => `gid ${svc.gid} (${svc.vip} ${({ 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6' } as Record<number, string>)[svc.proto] ?? `proto ${svc.proto}`}${svc.port ? `/${svc.port}` : ''})`;
  const sameVip = services.filter((svc) => sameIp(svc.vip, c.to));
  const sameProto = services.filter((svc) => svc.proto === checkProtocol(c) && (c.kind === 'ping' || svc.port === c.port));
  return (sameVip.length ? sameVip : sameProto.length ? sameProto : services).map(name);
}
