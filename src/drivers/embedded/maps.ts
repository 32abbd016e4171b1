import { isIP } from 'node:net';
import { expandIpv6 } from '../../scenario/names.js';
import type { ZonlbService } from '../../zonlb/config.js';

/** Layouts of bpf/zonlb_xdp.c's maps: keep in step with the C structs. */
export const MAX_BACKENDS = 64;
export const SVC_KEY_SIZE = 20; // struct addr (16) + port (2, network order) + proto + family
export const BACKEND_SIZE = 36; // ip (16) + src (16) + port (2) + has_src + pad
export const SVC_SIZE = 8 + MAX_BACKENDS * BACKEND_SIZE;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const COUNTERS = ['packets', 'matched', 'redirected', 'passed', 'dropped', 'ct_inserts', 'ct_hits', 'ct_misses', 'fib_failures', 'errors'] as const;

/** 16 bytes: IPv4 in the first four, network order; IPv6 as is. */
export function addrBytes(ip: string): Buffer {
  const b = Buffer.alloc(16);
  if (isIP(ip) === 4) ip.split('.').forEach((x, i) => b.writeUInt8(Number(x), i));
  else expandIpv6(ip).split(':').forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

const ICMP = new Set([1, 58]);

export function serviceKey(s: ZonlbService): Buffer {
  const k = Buffer.alloc(SVC_KEY_SIZE);
  addrBytes(s.vip).copy(k, 0);
  k.writeUInt16BE(ICMP.has(s.proto) ? 0 : s.port ?? 0, 16);
  k.writeUInt8(s.proto, 18);
  k.writeUInt8(s.family === 6 ? AF_INET6 : AF_INET, 19);
  return k;
}

export function serviceValue(s: ZonlbService): Buffer {
  const v = Buffer.alloc(SVC_SIZE);
  const backends = s.backends.slice(0, MAX_BACKENDS);
  v.writeUInt32LE(backends.length, 0);
  backends.forEach((b, i) => {
    const off = 8 + i * BACKEND_SIZE;
    addrBytes(b.ip).copy(v, off);
    if (b.options.srcIp) addrBytes(b.options.srcIp).copy(v, off + 16);
    v.writeUInt16BE(ICMP.has(b.proto) ? 0 : b.port ?? 0, off + 32);
    v.writeUInt8(b.options.srcIp ? 1 : 0, off + 34);
  });
  return v;
}
