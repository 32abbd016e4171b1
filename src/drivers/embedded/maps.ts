import { ipBytes } from '../../../lab/net.js';
import type { ZonlbBackend, ZonlbService } from '../../zonlb/config.js';
import { Btf } from './btf-layout.js';

/**
 * Layouts of the maps zonlab writes and reads (bpf/zonlb_structs.h, bpf/zonlb_maps.h, constants in
 * bpf/zonlb_consts.h): every offset below is checked against the object's BTF when it loads
 * (checkLayout), so an edited struct stops the load rather than corrupting a map write.
 */
export const MAX_BACKENDS = 64;
export const MAX_SERVICES = 256;
export const COUNTERS = [
  'packets',
  'matched',
  'redirected',
  'passed',
  'dropped',
  'ct_inserts',
  'ct_hits',
  'ct_misses',
  'fib_failures',
  'errors',
  'fragments',
  'fragments_unknown',
  'too_big_sent',
  'tc_replies',
] as const;
const BACKEND = { size: 36, fields: { ip: 0, src: 16, port: 32, has_src: 34, flags: 35 } };
export const LAYOUT = {
  svc_key: { size: 20, fields: { vip: 0, port: 16, proto: 18, family: 19 } },
  backend: BACKEND,
  svc: { size: 8 + MAX_BACKENDS * BACKEND.size, fields: { count: 0, slot: 4, b: 8 }, arrays: { b: MAX_BACKENDS } },
  flow: { size: 40, fields: { src: 0, dst: 16, sport: 32, dport: 34, proto: 36, family: 37 } },
  svc_stat: { size: 16, fields: { packets: 0 }, arrays: { packets: 2 } },
  port_set: { size: 8192, fields: { bits: 0 }, arrays: { bits: 1024 } },
  stats: { size: 8 * COUNTERS.length, fields: Object.fromEntries(COUNTERS.map((name, i) => [name, 8 * i])) },
} satisfies Record<string, { size: number; fields: Record<string, number>; arrays?: Record<string, number> }>;
/** max_entries of the maps zonlab indexes. */
export const MAP_ENTRIES = {
  services: MAX_SERVICES,
  svc_stats: MAX_SERVICES * MAX_BACKENDS,
  counters: 1,
  ct_epoch: 2,
  port_sets: 2,
};
/** ct_epoch's word zonlab bumps after it deletes conntrack entries (bpf/zonlb_consts.h CT_FLUSHES): the program's flow cache copies go stale. */
export const CT_FLUSHES = 1;
/** port_sets' set zonlab writes, the services' ports (bpf/zonlb_consts.h PS_SERVICES); the program writes the other. */
export const PS_SERVICES = 0;
export const SVC_KEY_SIZE = LAYOUT.svc_key.size;
export const BACKEND_SIZE = LAYOUT.backend.size;
export const SVC_SIZE = LAYOUT.svc.size;
export const FLOW_KEY_SIZE = LAYOUT.flow.size;
/** svc_stats: per CPU, packets toward the backend and packets of its replies (two u64). */
export const SVC_STAT_SIZE = LAYOUT.svc_stat.size;
/** counters: one struct stats per CPU, a u64 per name of COUNTERS. */
export const STATS_SIZE = LAYOUT.stats.size;
export const B_DSR_L2 = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;

type Layout = { size: number; fields: Record<string, number>; arrays?: Record<string, number> };
type StructName = keyof typeof LAYOUT;
/**
 * What zonlab writes (a mismatch refuses the object) and what it can do without (a mismatch leaves
 * that map alone): the counters it reads, and ct_epoch and port_sets, which an older build lacks.
 */
const WRITTEN: { structs: StructName[]; maps: (keyof typeof MAP_ENTRIES)[] } = {
  structs: ['svc_key', 'backend', 'svc', 'flow'],
  maps: ['services'],
};
const READ = {
  counters: { structs: ['stats'], maps: ['counters'] },
  svc_stats: { structs: ['svc_stat'], maps: ['svc_stats'] },
  ct_epoch: { structs: [], maps: ['ct_epoch'] },
  port_sets: { structs: ['port_set'], maps: ['port_sets'] },
} satisfies Record<string, typeof WRITTEN>;

function structMismatches(btf: Btf, name: StructName): string[] {
  const want: Layout = LAYOUT[name];
  const got = btf.struct(name);
  if (!got) return [`struct ${name} is not in the object`];
  const out: string[] = [];
  if (got.size !== want.size) out.push(`struct ${name} is ${got.size} bytes, zonlab writes ${want.size}`);
  for (const [field, off] of Object.entries(want.fields)) {
    const m = got.members[field];
    if (!m) out.push(`struct ${name} has no ${field}`);
    else if (m.offset !== off) out.push(`${name}.${field} is at ${m.offset}, zonlab writes it at ${off}`);
  }
  for (const [field, n] of Object.entries(want.arrays ?? {}))
    if (got.members[field]?.nelems !== n)
      out.push(`${name}.${field} holds ${got.members[field]?.nelems}, zonlab counts ${n}`);
  const unknown = Object.keys(got.members).filter((m) => !(m in want.fields) && !m.startsWith('pad'));
  if (unknown.length) out.push(`struct ${name} has ${unknown.join(', ')}, which zonlab does not know`);
  return out;
}

const mismatches = (btf: Btf, part: typeof WRITTEN): string[] => [
  ...part.structs.flatMap((name) => structMismatches(btf, name)),
  ...part.maps
    .filter((map) => btf.maxEntries(map) !== MAP_ENTRIES[map])
    .map((map) => `the map ${map} holds ${btf.maxEntries(map)} entries, zonlab indexes ${MAP_ENTRIES[map]}`),
];

/** Where the object's BTF disagrees with LAYOUT and MAP_ENTRIES, one line each; none: zonlab's writes and reads fit. */
export function layoutMismatches(btf: Btf): string[] {
  return [WRITTEN, ...Object.values(READ)].flatMap((part) => mismatches(btf, part));
}

/** The maps zonlab can do without that this object lays out otherwise (an older build's counters) or lacks: left alone, with why. */
export type UnreadMaps = Partial<Record<keyof typeof READ, string>>;

/** Refuses an object whose maps zonlab would write wrongly (LAYOUT against its BTF); says which it cannot read. */
export function checkLayout(object: string): UnreadMaps {
  const btf = Btf.ofObject(object);
  const written = mismatches(btf, WRITTEN);
  if (written.length)
    throw new Error(
      `${object} does not have the map layout zonlab writes (src/drivers/embedded/maps.ts LAYOUT): ${written.join('; ')}`,
    );
  const unread: UnreadMaps = {};
  for (const [map, part] of Object.entries(READ) as [keyof typeof READ, typeof WRITTEN][]) {
    const problems = mismatches(btf, part);
    if (problems.length) unread[map] = problems.join('; ');
  }
  return unread;
}

/** struct addr: 16 bytes, IPv4 in the first four. */
export const addrBytes = (ip: string): Buffer => Buffer.concat([ipBytes(ip)], 16);

const ICMP = new Set([1, 58]);

export function serviceKey(s: ZonlbService): Buffer {
  const at = LAYOUT.svc_key.fields;
  const k = Buffer.alloc(SVC_KEY_SIZE);
  addrBytes(s.vip).copy(k, at.vip);
  k.writeUInt16BE(ICMP.has(s.proto) ? 0 : (s.port ?? 0), at.port);
  k.writeUInt8(s.proto, at.proto);
  k.writeUInt8(s.family === 6 ? AF_INET6 : AF_INET, at.family);
  return k;
}

/** `slot` numbers the service in svc_stats: its counters are slot × MAX_BACKENDS + the backend's place. */
export function serviceValue(s: ZonlbService, slot: number): Buffer {
  if (s.backends.length > MAX_BACKENDS)
    throw new Error(`group ${s.gid} has ${s.backends.length} backends: the program holds ${MAX_BACKENDS}`);
  const at = LAYOUT.svc.fields;
  const v = Buffer.alloc(SVC_SIZE);
  v.writeUInt32LE(s.backends.length, at.count);
  v.writeUInt32LE(slot, at.slot);
  s.backends.forEach((b, i) => backendBytes(b).copy(v, at.b + i * BACKEND_SIZE));
  return v;
}

/** struct backend: one of a service's backends, at its place in the service's value (svc.b). */
export function backendBytes(b: Pick<ZonlbBackend, 'ip' | 'proto' | 'port' | 'options'>): Buffer {
  const at = LAYOUT.backend.fields;
  const v = Buffer.alloc(BACKEND_SIZE);
  addrBytes(b.ip).copy(v, at.ip);
  if (b.options.srcIp) addrBytes(b.options.srcIp).copy(v, at.src);
  v.writeUInt16BE(ICMP.has(b.proto) ? 0 : (b.port ?? 0), at.port);
  v.writeUInt8(b.options.srcIp ? 1 : 0, at.has_src);
  v.writeUInt8(b.options.dsrL2 ? B_DSR_L2 : 0, at.flags);
  return v;
}

/** The services' ports added to a struct port_set (`set`, as read from the map): the program's filter lets them through. */
export function withServicePorts(set: Buffer, services: Pick<ZonlbService, 'proto' | 'port'>[]): Buffer {
  for (const s of services) {
    if (ICMP.has(s.proto)) continue; // echoes are never filtered
    const at = LAYOUT.port_set.fields.bits + 8 * (s.port >> 6);
    set.writeBigUInt64LE(set.readBigUInt64LE(at) | (1n << BigInt(s.port & 63)), at);
  }
  return set;
}

export function svcStatKey(slot: number, backend: number): Buffer {
  const k = Buffer.alloc(4);
  k.writeUInt32LE(slot * MAX_BACKENDS + backend);
  return k;
}

/** The counters map's value for every CPU, summed per name. */
export function sumCounters(value: Buffer, cpus: number): Record<(typeof COUNTERS)[number], number> {
  const sums = sumPerCpu(value, cpus, COUNTERS.length);
  return Object.fromEntries(COUNTERS.map((name, i) => [name, sums[i]!])) as Record<(typeof COUNTERS)[number], number>;
}

/** Sums a per-CPU value of u64 fields (each CPU's value padded to 8 bytes, as the kernel copies them). */
export function sumPerCpu(value: Buffer, cpus: number, fields: number): number[] {
  const stride = fields * 8;
  const out = new Array<number>(fields).fill(0);
  for (let c = 0; c < cpus; c++)
    for (let f = 0; f < fields; f++) out[f]! += Number(value.readBigUInt64LE(c * stride + f * 8));
  return out;
}
