import { ipBytes } from '../../../lab/net.js';
import type { ZonlbBackend, ZonlbService } from '../../zonlb/config.js';

/** Layouts of bpf/zonlb_xdp.c's maps: keep in step with the C structs. */
export const MAX_BACKENDS = 64;
export const MAX_SERVICES = 256;
export const SVC_KEY_SIZE = 20; // struct addr (16) + port (2, network order) + proto + family
export const BACKEND_SIZE = 36; // ip (16) + src (16) + port (2) + has_src + flags
export const SVC_SIZE = 8 + MAX_BACKENDS * BACKEND_SIZE; // count, slot, backends
export const B_DSR_L2 = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const COUNTERS = ['packets', 'matched', 'redirected', 'passed', 'dropped', 'ct_inserts', 'ct_hits', 'ct_misses', 'fib_failures', 'errors',
  'fragments', 'fragments_unknown', 'too_big_sent', 'tc_replies'] as const;

/** struct addr: 16 bytes, IPv4 in the first four. */
export const addrBytes = (ip: string): Buffer => Buffer.concat([ipBytes(ip)], 16);

const ICMP = new Set([1, 58]);

export function serviceKey(s: ZonlbService): Buffer {
  const k = Buffer.alloc(SVC_KEY_SIZE);
  addrBytes(s.vip).copy(k, 0);
  k.writeUInt16BE(ICMP.has(s.proto) ? 0 : s.port ?? 0, 16);
  k.writeUInt8(s.proto, 18);
  k.writeUInt8(s.family === 6 ? AF_INET6 : AF_INET, 19);
  return k;
}

/** `slot` numbers the service in svc_stats: its counters are slot × MAX_BACKENDS + the backend's place. */
export function serviceValue(s: ZonlbService, slot: number): Buffer {
  if (s.backends.length > MAX_BACKENDS) throw new Error(`group ${s.gid} has ${s.backends.length} backends: the program holds ${MAX_BACKENDS}`);
  const v = Buffer.alloc(SVC_SIZE);
  v.writeUInt32LE(s.backends.length, 0);
  v.writeUInt32LE(slot, 4);
  s.backends.forEach((b, i) => backendBytes(b).copy(v, 8 + i * BACKEND_SIZE));
  return v;
}

/** struct backend: one of a service's backends, at 8 + its place × BACKEND_SIZE in the service's value. */
export function backendBytes(b: Pick<ZonlbBackend, 'ip' | 'proto' | 'port' | 'options'>): Buffer {
  const v = Buffer.alloc(BACKEND_SIZE);
  addrBytes(b.ip).copy(v, 0);
  if (b.options.srcIp) addrBytes(b.options.srcIp).copy(v, 16);
  v.writeUInt16BE(ICMP.has(b.proto) ? 0 : b.port ?? 0, 32);
  v.writeUInt8(b.options.srcIp ? 1 : 0, 34);
  v.writeUInt8(b.options.dsrL2 ? B_DSR_L2 : 0, 35);
  return v;
}

/** svc_stats: per CPU, packets toward the backend and packets of its replies (two u64). */
export const SVC_STAT_SIZE = 16;

export function svcStatKey(slot: number, backend: number): Buffer {
  const k = Buffer.alloc(4);
  k.writeUInt32LE(slot * MAX_BACKENDS + backend);
  return k;
}

/** Sums a per-CPU value of u64 fields (each CPU's value padded to 8 bytes, as the kernel copies them). */
export function sumPerCpu(value: Buffer, cpus: number, fields: number): number[] {
  const stride = fields * 8;
  const out = new Array<number>(fields).fill(0);
  for (let c = 0; c < cpus; c++) for (let f = 0; f < fields; f++) out[f]! += Number(value.readBigUInt64LE(c * stride + f * 8));
  return out;
}
