import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, networkInterfaces } from 'node:os';
import path from 'node:path';
import { ExitCode, UserError } from '../../errors.js';
import { isLoopback } from '../../../lab/net.js';
import { runCommand } from '../../../lab/run-command.js';
import { bpfDir } from '../../paths.js';
import type { ZonlbConfig, ZonlbService } from '../../zonlb/config.js';
import type { Driver, LoadContext, LoadedBalancer, ServiceCount } from '../driver.js';
import { libbpf, XDP_FLAGS, type Libbpf } from './libbpf.js';
import {
  checkLayout,
  CT_FLUSHES,
  FLOW_KEY_SIZE,
  LAYOUT,
  PS_SERVICES,
  MAX_SERVICES,
  serviceKey,
  serviceValue,
  STATS_SIZE,
  SVC_STAT_SIZE,
  sumCounters,
  sumPerCpu,
  svcStatKey,
  withServicePorts,
} from './maps.js';

export const OBJECT = path.join(bpfDir, 'zonlb_xdp.o');

/** Another build of the program (`zonlab ab --b embedded:PATH.o`, a mutant) is named by ZONLAB_XDP_OBJECT; the shipped one otherwise. */
export const OBJECT_ENV = 'ZONLAB_XDP_OBJECT';

export function embeddedObject(env: NodeJS.ProcessEnv = process.env): string {
  const given = env[OBJECT_ENV];
  return given ? path.resolve(given) : OBJECT;
}

/** What identifies the build: the object's path and the start of its sha256 (two builds at one path differ). */
function objectIdentity(object: string): string {
  try {
    return `${object} sha256:${createHash('sha256').update(readFileSync(object)).digest('hex').slice(0, 16)}`;
  } catch {
    return `${object} (unreadable)`;
  }
}

/** Its object, and configs larger than its maps (the options it lacks are its spec's, kinds.ts). */
export function embeddedMissing(config: ZonlbConfig | undefined): string[] {
  const reasons: string[] = [];
  const object = embeddedObject();
  if (object !== OBJECT && !existsSync(object)) reasons.push(`${OBJECT_ENV}=${object}: no such object`);
  else if (!existsSync(object)) reasons.push('bpf/zonlb_xdp.o is not built (run npm run setup)');
  if ((config?.services.length ?? 0) > MAX_SERVICES)
    reasons.push(
      `the embedded driver holds at most ${MAX_SERVICES} groups: ${config!.file} has ${config!.services.length}`,
    );
  return reasons;
}

/** A backend this host answers for: requests reach it through the local stack, its replies leave through it. */
function isLocal(ip: string): boolean {
  const own = Object.values(networkInterfaces())
    .flat()
    .map((a) => a?.address);
  return isLoopback(ip) || own.includes(ip);
}

/** Where tc_out goes on (and the crash undo removes the tc programs): a local backend's replies leave through the stack. */
const hasLocalBackend = (config: ZonlbConfig) => config.services.some((s) => s.backends.some((b) => isLocal(b.ip)));
/** Direct server return: only XDP does it (and the crash undo has no tc programs to remove unless a backend is local). */
const hasDsr = (config: ZonlbConfig) =>
  config.services.some((s) => s.backends.some((b) => b.options.dsrL2 || b.options.dsrL3));

/** ZONLAB_XDP_MODE=native|generic overrides the driver's choice (the benchmark's reference). */
function xdpMode(): number | undefined {
  const mode = process.env.ZONLAB_XDP_MODE;
  if (mode === undefined || mode === '') return undefined;
  if (mode === 'native') return XDP_FLAGS.drvMode;
  if (mode === 'generic') return XDP_FLAGS.skbMode;
  throw new UserError(`ZONLAB_XDP_MODE=${mode} is not an XDP mode`, ExitCode.badInput, [
    'native or generic, or leave it unset for the driver to choose',
  ]);
}

function interfaceIndex(bpf: ReturnType<typeof libbpf>, name: string): number {
  const ifindex = bpf.ifindex(name);
  if (!ifindex) throw new Error(`no interface ${name} to attach the load balancer to`);
  return ifindex;
}

/** Per-CPU maps hold a value for every possible CPU, online or not. */
export function possibleCpus(): number {
  try {
    const text = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
    return text.split(',').reduce((n, part) => {
      const [a, b] = part.split('-').map(Number);
      return n + (b === undefined ? 1 : b! - a! + 1);
    }, 0);
  } catch {
    return availableParallelism();
  }
}

/** Deletes every entry of a hash map; returns how many. Keys are read first: deleting while walking skips some. */
function flushMap(bpf: Libbpf, fd: number, keySize: number): number {
  const keys: Buffer[] = [];
  let key: Buffer | null = null;
  for (;;) {
    const next = Buffer.alloc(keySize);
    if (bpf.nextKey(fd, key, next)) break;
    keys.push(next);
    key = next;
  }
  return keys.filter((k) => bpf.remove(fd, k) === 0).length;
}

/**
 * Deletes every conntrack entry of a loaded object, then bumps its ct_epoch (zonlab is that word's
 * only writer) so that no CPU's copy of an entry (bpf/zonlb_flowcache.h) is used again; an older
 * build has no ct_epoch (epoch false). Returns how many entries it deleted.
 */
export function flushConntrack(bpf: Libbpf, obj: unknown, epoch: boolean): number {
  const deleted = flushMap(bpf, bpf.mapFd(obj, 'conntrack'), FLOW_KEY_SIZE);
  if (epoch) bumpFlushEpoch(bpf, bpf.mapFd(obj, 'ct_epoch'));
  return deleted;
}

/** After conntrack entries were deleted: ct_epoch (its fd) bumped, so that no CPU's copy of one is used again. */
export function bumpFlushEpoch(bpf: Libbpf, fd: number): void {
  const key = Buffer.alloc(4);
  key.writeUInt32LE(CT_FLUSHES);
  const value = Buffer.alloc(8);
  let e = bpf.lookup(fd, key, value);
  value.writeBigUInt64LE(value.readBigUInt64LE() + 1n);
  e ||= bpf.update(fd, key, value);
  if (e) throw new Error(`cannot bump the ct_epoch map after a flush: ${bpf.strerror(e)}`);
}

/** The services' ports added to port_sets (its fd): the program's filter lets their packets through. */
export function addServicePorts(bpf: Libbpf, fd: number, services: Pick<ZonlbService, 'proto' | 'port'>[]): void {
  const key = Buffer.alloc(4);
  key.writeUInt32LE(PS_SERVICES);
  const set = Buffer.alloc(LAYOUT.port_set.size);
  const e = bpf.lookup(fd, key, set) || bpf.update(fd, key, withServicePorts(set, services));
  if (e) throw new Error(`cannot write the services' ports into port_sets: ${bpf.strerror(e)}`);
}

/**
 * The services into the object's services map (`slot` numbers each in svc_stats), their ports into
 * port_sets first: a service is never there before its port passes the program's filter. An older
 * build has no port_sets.
 */
export function writeServices(bpf: Libbpf, obj: unknown, services: ZonlbService[]): void {
  const sets = bpf.mapFd(obj, 'port_sets');
  if (sets >= 0) addServicePorts(bpf, sets, services);
  const fd = bpf.mapFd(obj, 'services');
  services.forEach((s, slot) => {
    const e = bpf.update(fd, serviceKey(s), serviceValue(s, slot));
    if (e) throw new Error(`cannot write the services map for ${s.vip}: ${bpf.strerror(e)}`);
  });
}

const SHARED_MAPS = ['services', 'conntrack', 'frags', 'counters', 'svc_stats'];
/**
 * Shared as well where the object has them (an older build has not): the reply ports of the flows in
 * conntrack, and its epoch, so that an insert by either program while links change over makes the
 * other's copies of entries stale; the links a forwarded skb may enter its peer's namespace by.
 */
const SHARED_IF_THERE = ['port_sets', 'ct_epoch', 'peer_links'];

/**
 * The program loaded again from its object with the old one's maps (bpf_map__reuse_fd), then
 * attached in its place: bpf_xdp_attach replaces the program on a link in one step, tc's filter is
 * replaced (BPF_TC_F_REPLACE). Returns the new object; the old one is closed.
 */
function replaceProgram(bpf: Libbpf, object: string, old: unknown, xdp: XdpAttachment[], tc: TcAttachment[]): unknown {
  checkLayout(object);
  const next = bpf.openFile(object);
  try {
    for (const name of [...SHARED_MAPS, ...SHARED_IF_THERE.filter((m) => bpf.mapFd(old, m) >= 0)]) {
      const e = bpf.reuseMap(next, name, bpf.mapFd(old, name));
      if (e) throw new Error(`cannot reuse the map ${name}: ${bpf.strerror(e)}`);
    }
    const e = bpf.load(next);
    if (e) throw new Error(`the kernel refused the new program (${bpf.strerror(e)})`);
    const prog = bpf.programFd(next, 'zonlb_xdp');
    for (const a of xdp) {
      const err = bpf.xdpAttach(a.ifindex, prog, a.flags);
      if (err) throw new Error(`cannot attach the new program to ${a.name}: ${bpf.strerror(err)}`);
    }
    for (const a of tc) {
      const err =
        (a.egress ? bpf.tcReplace(a.ifindex, bpf.programFd(next, 'zonlb_tc_out'), false) : 0) ||
        (a.ingress ? bpf.tcReplace(a.ifindex, bpf.programFd(next, a.ingress), true) : 0);
      if (err) throw new Error(`cannot replace the tc programs on ${a.name}: ${bpf.strerror(err)}`);
    }
  } catch (err) {
    bpf.close(next);
    throw err;
  }
  bpf.close(old);
  return next;
}

/**
 * Which programs carry the config's packets. Every backend on this host: every packet goes up the
 * local stack, and an skb program (tc) rewrites it in place, where XDP on a veth gets locally sent
 * TCP only as a copy. Backends behind links: skb programs too (zonlb_tc_fwd redirects a GSO packet
 * whole, into the peer's namespace where the link is a veth, where native XDP on a veth turns the
 * peer's TSO off and copies every frame), unless the links differ in MTU (only XDP answers a packet
 * too big for the path), a backend is served by direct server return, or the object is a build
 * without zonlb_tc_fwd (`--b embedded:OLD.o`); then native XDP. ZONLAB_XDP_MODE forces XDP.
 */
async function dataPath(
  config: ZonlbConfig,
  hasForwarding: boolean,
): Promise<{ xdp?: number; tc: TcPrograms; peers: number[] }> {
  const egress = hasLocalBackend(config);
  const forced = xdpMode();
  if (forced !== undefined) return { xdp: forced, tc: { egress }, peers: [] };
  if (config.services.every((s) => s.backends.every((b) => isLocal(b.ip))))
    return { tc: { ingress: 'zonlb_tc_in', egress }, peers: [] };
  const links = await configLinks(config.interfaces);
  const oneMtu = links.length === config.interfaces.length && new Set(links.map((l) => l.mtu)).size === 1;
  if (hasDsr(config) || !oneMtu || !hasForwarding) return { xdp: XDP_FLAGS.drvMode, tc: { egress }, peers: [] };
  // a veth whose peer is in another namespace (link_netnsid: the peer's namespace, as this one names it)
  const peers = links.filter((l) => l.linkinfo?.info_kind === 'veth' && l.link_netnsid !== undefined);
  return { tc: { ingress: 'zonlb_tc_fwd', egress }, peers: peers.map((l) => l.ifindex) };
}

type Link = { ifname: string; ifindex: number; mtu: number; link_netnsid?: number; linkinfo?: { info_kind?: string } };

/** The config's links as `ip -d link` shows them (none when it cannot): their MTUs, and which are veths with a peer elsewhere. */
async function configLinks(interfaces: string[]): Promise<Link[]> {
  const r = await runCommand(['ip', '-j', '-d', 'link', 'show'], { reject: false });
  if (r.exitCode !== 0) return [];
  return (JSON.parse(r.stdout) as Link[]).filter((l) => interfaces.includes(l.ifname));
}

/** The links zonlb_tc_fwd may redirect into their peer's namespace, into peer_links (its fd). */
function writePeerLinks(bpf: Libbpf, fd: number, ifindexes: number[]): void {
  for (const ifindex of ifindexes) {
    const key = Buffer.alloc(4);
    key.writeUInt32LE(ifindex);
    const e = bpf.update(fd, key, Buffer.alloc(4, 1));
    if (e) throw new Error(`cannot write peer_links for ifindex ${ifindex}: ${bpf.strerror(e)}`);
  }
}

type XdpAttachment = { ifindex: number; flags: number; name: string };
type TcAttachment = { ifindex: number; name: string } & TcPrograms;

/**
 * The XDP program on each interface: native mode where the driver has it (veth does), generic where
 * it does not (lo). Each attachment goes into `attached` as it is made: a failure half-way leaves
 * the caller the ones to undo.
 */
function attachXdp(
  bpf: Libbpf,
  prog: number,
  interfaces: string[],
  preferred: number,
  log: (line: string) => void,
  attached: XdpAttachment[],
): void {
  for (const name of interfaces) {
    const ifindex = interfaceIndex(bpf, name);
    let flags: number = preferred;
    let e = bpf.xdpAttach(ifindex, prog, flags);
    if (e && flags === XDP_FLAGS.drvMode) {
      flags = XDP_FLAGS.skbMode;
      e = bpf.xdpAttach(ifindex, prog, flags);
    }
    if (e) throw new Error(`cannot attach XDP to ${name} (ifindex ${ifindex}): ${bpf.strerror(e)}`);
    attached.push({ ifindex, flags, name });
    log(`embedded: XDP on ${name} in ${flags === XDP_FLAGS.drvMode ? 'native' : 'generic (skb)'} mode`);
  }
}

/** The tc programs on a link: the ingress one for the requests (and the replies it forwards), tc_out for a local backend's replies. */
type TcPrograms = { ingress?: 'zonlb_tc_in' | 'zonlb_tc_fwd'; egress: boolean };

/** Into `attached` before each attach, so that a half-done one is undone too. */
function attachTc(
  bpf: Libbpf,
  obj: unknown,
  interfaces: string[],
  programs: TcPrograms,
  log: (line: string) => void,
  attached: TcAttachment[],
): void {
  for (const name of interfaces) {
    const ifindex = interfaceIndex(bpf, name);
    attached.push({ ifindex, name, ...programs });
    const e =
      (programs.egress ? bpf.tcAttachEgress(ifindex, bpf.programFd(obj, 'zonlb_tc_out')) : 0) ||
      (programs.ingress ? bpf.tcAttachIngress(ifindex, bpf.programFd(obj, programs.ingress)) : 0);
    if (e) throw new Error(`cannot attach the tc programs to ${name}: ${bpf.strerror(e)}`);
    if (programs.ingress === 'zonlb_tc_in')
      log(`embedded: tc ingress and egress on ${name}: every backend is on this host`);
    if (programs.ingress === 'zonlb_tc_fwd')
      log(
        `embedded: tc ingress${programs.egress ? ' and egress' : ''} on ${name}: forwarded as skbs, GSO kept (no XDP on a veth)`,
      );
  }
}

/** Requests and replies per service and backend, from svc_stats (its fd), summed over the CPUs. */
function readServiceCounts(
  bpf: Libbpf,
  fd: number,
  services: ZonlbService[],
  cpus: number,
): Record<number, ServiceCount> {
  const out: Record<number, ServiceCount> = {};
  services.forEach((s, slot) => {
    const count: ServiceCount = {
      packets: 0,
      scope: `service gid ${s.gid} (embedded, per backend)`,
      backends: {},
      requests: 0,
      replies: 0,
    };
    s.backends.forEach((b, i) => {
      const value = Buffer.alloc(SVC_STAT_SIZE * cpus);
      const [requests, replies] = bpf.lookup(fd, svcStatKey(slot, i), value) === 0 ? sumPerCpu(value, cpus, 2) : [0, 0];
      count.backends![b.key] = requests! + replies!;
      count.requests! += requests!;
      count.replies! += replies!;
    });
    count.packets = count.requests! + count.replies!;
    out[s.gid] = count;
  });
  return out;
}

export const embeddedDriver: Driver = {
  name: 'embedded',
  cannotApply: () => undefined,
  missing: async (config) => embeddedMissing(config),
  version: async () => {
    const object = embeddedObject();
    return object === OBJECT
      ? `zonlab-xdp (libbpf.so.1, ${path.basename(OBJECT)})`
      : `zonlab-xdp (libbpf.so.1, ${objectIdentity(object)})`;
  },
  crashUndo: (ctx) => [
    // `xdp off` leaves a generic program in place on a link whose driver has native XDP (veth)
    ...ctx.config.interfaces.flatMap((i) =>
      ['xdp', 'xdpgeneric'].map((mode) => ({ argv: ['ip', 'link', 'set', 'dev', i, mode, 'off'] })),
    ),
    ...(hasLocalBackend(ctx.config) || !hasDsr(ctx.config)
      ? ctx.config.interfaces.map((i) => ({ argv: ['tc', 'qdisc', 'del', 'dev', i, 'clsact'] }))
      : []),
  ],
  async load(ctx: LoadContext): Promise<LoadedBalancer> {
    const bpf = libbpf();
    bpf.takeLog();
    const object = embeddedObject();
    const unread = checkLayout(object);
    for (const [name, why] of Object.entries(unread))
      ctx.log(`embedded: the ${name} map of ${path.basename(object)} is left alone: ${why}`);
    let obj = bpf.openFile(object);
    const attached: XdpAttachment[] = [];
    const tcAttached: TcAttachment[] = [];
    const unload = async () => {
      const failures: string[] = [];
      for (const a of attached.splice(0)) {
        const err = bpf.xdpDetach(a.ifindex, a.flags);
        if (err && err !== -19 /* ENODEV: the link is gone already */)
          failures.push(`detach XDP from ${a.name}: ${bpf.strerror(err)}`);
      }
      for (const a of tcAttached.splice(0)) {
        const err = bpf.tcDestroy(a.ifindex);
        if (err && err !== -19 && err !== -2)
          failures.push(`remove the clsact qdisc of ${a.name}: ${bpf.strerror(err)}`);
      }
      bpf.close(obj);
      if (failures.length) throw new Error(failures.join('; '));
    };
    try {
      const err = bpf.load(obj);
      if (err)
        throw new Error(
          `the kernel refused ${object === OBJECT ? 'bpf/zonlb_xdp.o' : object} (${bpf.strerror(err)}):\n${bpf.takeLog().trim().split('\n').slice(-40).join('\n')}`,
        );
      const prog = bpf.programFd(obj, 'zonlb_xdp');
      writeServices(bpf, obj, ctx.config.services);
      const path = await dataPath(ctx.config, bpf.programFd(obj, 'zonlb_tc_fwd') >= 0);
      if (path.peers.length) writePeerLinks(bpf, bpf.mapFd(obj, 'peer_links'), path.peers);
      if (path.xdp !== undefined) attachXdp(bpf, prog, ctx.config.interfaces, path.xdp, ctx.log, attached);
      if (path.tc.ingress || path.tc.egress) attachTc(bpf, obj, ctx.config.interfaces, path.tc, ctx.log, tcAttached);
    } catch (err) {
      await unload().catch(() => {});
      throw err;
    }
    // the maps' descriptors are the object's: asked for each time, as a replaced program brings its own
    const map = (name: string) => bpf.mapFd(obj, name);
    const cpus = possibleCpus();
    // the backends in force: events change them (a service keeps its slot, a backend's stats follow its place)
    let current = ctx.config;
    const serviceCounts = () => {
      if (unread.svc_stats) throw new Error(`the svc_stats map is laid out otherwise: ${unread.svc_stats}`);
      return readServiceCounts(bpf, map('svc_stats'), current.services, cpus);
    };
    const balancer: LoadedBalancer = {
      driver: 'embedded',
      version: await embeddedDriver.version(),
      async counters() {
        const value = Buffer.alloc(STATS_SIZE * cpus);
        const out: Record<string, number> =
          !unread.counters && bpf.lookup(map('counters'), Buffer.alloc(4), value) === 0 ? sumCounters(value, cpus) : {};
        // per group, as nft's gid_N_packets: toward the backends and back
        for (const [gid, c] of Object.entries(serviceCounts())) {
          out[`gid_${gid}_requests`] = c.requests!;
          out[`gid_${gid}_replies`] = c.replies!;
        }
        return out;
      },
      serviceCounts: async () => serviceCounts(),
      async apply(action, config) {
        if (action === 'flush-conntrack')
          return `deleted ${flushConntrack(bpf, obj, !unread.ct_epoch)} entries of the conntrack map`;
        if (action === 'replace-program') {
          obj = replaceProgram(bpf, object, obj, attached, tcAttached);
          return `a new ${path.basename(object)} attached in place of the old on ${[...new Set([...attached, ...tcAttached].map((a) => a.name))].join(', ')}, with the same maps`;
        }
        // one update per service: the program sees the old backends or the new, never half of each
        writeServices(bpf, obj, config.services);
        current = config;
        return `services map rewritten: ${config.services.map((s) => `gid ${s.gid} → ${s.backends.map((b) => b.key).join(', ') || 'no backend'}`).join('; ')}`;
      },
      unload,
    };
    return balancer;
  },
};
