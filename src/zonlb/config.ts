import { parse as parseToml, TomlError } from 'smol-toml';
import { isIP } from 'node:net';
import { InvalidInput, type Problem } from '../errors.js';
import { isInterfaceName } from '../scenario/names.js';

/**
 * The subset of zon-lb's zonlb.toml that its examples use:
 *   [netif.IF.GID]    ip, proto, port, options   — a service (VIP) on interface IF, group GID
 *   [backend.GID_IDX] ip, proto, port, options   — backend IDX of group GID
 *   [actions.nd]      fill                       — neighbour-discovery helper
 */
export type IpFamily = 4 | 6;
export type IpProto = 1 | 6 | 17 | 58;
export const PROTO_NAMES: Record<IpProto, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6' };

export interface BackendOptions {
  redirect: boolean;
  tx: boolean;
  srcIp?: string;
  dsrL2: boolean;
  dsrL3: boolean;
  altAddr?: string;
  /** As written, for drivers that pass them through or reject what they lack. */
  raw: string[];
}

export interface ZonlbBackend {
  key: string; // "1_0"
  index: number;
  ip: string;
  family: IpFamily;
  /** Inherits the service's when absent (zon-lb's DSR L3 examples leave it out). */
  proto: IpProto;
  port?: number;
  options: BackendOptions;
}

export interface ZonlbService {
  netif: string;
  gid: number;
  vip: string;
  family: IpFamily;
  proto: IpProto;
  port?: number;
  options: string[];
  backends: ZonlbBackend[];
}

export interface ZonlbConfig {
  file: string;
  services: ZonlbService[];
  ndFill?: boolean;
  /** The netifs named in [netif.*], in file order: where a driver attaches. */
  interfaces: string[];
}

const KNOWN_OPTIONS = ['redirect', 'tx', 'dsr_l2', 'dsr_l3', 'src_ip=', 'alt_addr='];
const PROTOS = new Set([1, 6, 17, 58]);
const PORTLESS = new Set([1, 58]);

/** Parses zonlb.toml text; every problem is collected and reported at once with its key. */
export function parseZonlbConfig(text: string, file: string): ZonlbConfig {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    const line = err instanceof TomlError ? err.line : undefined;
    throw new InvalidInput([{ file, key: '', line, message: `not valid TOML: ${firstLine(err)}` }]);
  }
  return zonlbConfigFromTable(doc, file);
}

export function zonlbConfigFromTable(doc: Record<string, unknown>, file: string): ZonlbConfig {
  const problems: Problem[] = [];
  const bad = (key: string, message: string, hint?: string) => problems.push({ file, key, message, hint });

  for (const top of Object.keys(doc)) {
    if (!['netif', 'backend', 'actions'].includes(top)) bad(top, 'unknown table', 'zonlb.toml has [netif.IF.GID], [backend.GID_IDX] and [actions.nd]');
  }

  const services: ZonlbService[] = [];
  const interfaces: string[] = [];
  const netif = asTable(doc.netif);
  if (doc.netif !== undefined && !netif) bad('netif', 'must be a table');
  for (const [ifname, groups] of Object.entries(netif ?? {})) {
    if (!isInterfaceName(ifname)) bad(`netif.${ifname}`, 'not a valid interface name', 'at most 15 characters, no "/", spaces or ":"');
    const groupTable = asTable(groups);
    if (!groupTable) { bad(`netif.${ifname}`, 'must be a table of groups [netif.IF.GID]'); continue; }
    if (!interfaces.includes(ifname)) interfaces.push(ifname);
    for (const [gidText, value] of Object.entries(groupTable)) {
      const key = `netif.${ifname}.${gidText}`;
      const entry = asTable(value);
      const gid = Number(gidText);
      if (!/^\d{1,9}$/.test(gidText)) { bad(key, 'group id must be a whole number'); continue; }
      if (!entry) { bad(key, 'must be a table'); continue; }
      checkKeys(entry, ['ip', 'proto', 'port', 'options'], key, bad);
      const vip = ipField(entry.ip, `${key}.ip`, bad);
      const proto = protoField(entry.proto, `${key}.proto`, bad);
      const port = portField(entry.port, `${key}.port`, proto, bad);
      const options = stringList(entry.options, `${key}.options`, bad);
      if (vip === undefined || proto === undefined) continue;
      if (services.some((s) => s.gid === gid)) { bad(key, `group ${gid} is declared twice`); continue; }
      services.push({ netif: ifname, gid, vip, family: familyOf(vip), proto, port, options, backends: [] });
    }
  }

  const backends = asTable(doc.backend);
  if (doc.backend !== undefined && !backends) bad('backend', 'must be a table');
  for (const [name, value] of Object.entries(backends ?? {})) {
    const key = `backend.${name}`;
    const m = /^(\d{1,9})_(\d{1,9})$/.exec(name);
    const entry = asTable(value);
    if (!m) { bad(key, 'backend names are GID_IDX', 'for example [backend.1_0] for the first backend of group 1'); continue; }
    if (!entry) { bad(key, 'must be a table'); continue; }
    checkKeys(entry, ['ip', 'proto', 'port', 'options'], key, bad);
    const service = services.find((s) => s.gid === Number(m[1]));
    if (!service) { bad(key, `no [netif.*.${m[1]}] group for this backend`); continue; }
    const ip = ipField(entry.ip, `${key}.ip`, bad);
    const proto = entry.proto === undefined ? service.proto : protoField(entry.proto, `${key}.proto`, bad);
    const port = entry.port === undefined ? service.port : portField(entry.port, `${key}.port`, proto, bad);
    const raw = stringList(entry.options, `${key}.options`, bad);
    const options = backendOptions(raw, `${key}.options`, bad);
    if (ip === undefined || proto === undefined) continue;
    if (options.srcIp && familyOf(options.srcIp) !== familyOf(ip)) bad(`${key}.options`, `src_ip=${options.srcIp} is not the same family as the backend ${ip}`);
    if (familyOf(ip) !== service.family && !options.dsrL3) {
      bad(`${key}.ip`, `backend ${ip} is IPv${familyOf(ip)} but the service's VIP ${service.vip} is IPv${service.family}`, 'only dsr_l3 (tunnelling) can cross families');
    }
    service.backends.push({ key: name, index: Number(m[2]), ip, family: familyOf(ip), proto, port, options });
  }
  for (const s of services) {
    s.backends.sort((a, b) => a.index - b.index);
    if (s.backends.length === 0) bad(`netif.${s.netif}.${s.gid}`, 'this group has no backend', `add [backend.${s.gid}_0]`);
  }

  let ndFill: boolean | undefined;
  const actions = asTable(doc.actions);
  if (actions) {
    for (const [name, value] of Object.entries(actions)) {
      const t = asTable(value);
      if (name !== 'nd' || !t) { bad(`actions.${name}`, 'unknown action', 'known: [actions.nd]'); continue; }
      checkKeys(t, ['fill'], 'actions.nd', bad);
      if (t.fill !== undefined && typeof t.fill !== 'boolean') bad('actions.nd.fill', 'must be true or false');
      else ndFill = t.fill as boolean | undefined;
    }
  }

  if (problems.length) throw new InvalidInput(problems);
  return { file, services, ndFill, interfaces };
}

function backendOptions(raw: string[], key: string, bad: (k: string, m: string, h?: string) => void): BackendOptions {
  const o: BackendOptions = { redirect: false, tx: false, dsrL2: false, dsrL3: false, raw };
  for (const opt of raw) {
    if (opt === 'redirect') o.redirect = true;
    else if (opt === 'tx') o.tx = true;
    else if (opt === 'dsr_l2') o.dsrL2 = true;
    else if (opt === 'dsr_l3') o.dsrL3 = true;
    else if (opt.startsWith('src_ip=')) o.srcIp = ipField(opt.slice(7), `${key} src_ip`, bad);
    else if (opt.startsWith('alt_addr=')) o.altAddr = ipField(opt.slice(9), `${key} alt_addr`, bad);
    else bad(key, `unknown option ${JSON.stringify(opt)}`, `known: ${KNOWN_OPTIONS.join(', ')}`);
  }
  return o;
}

function ipField(v: unknown, key: string, bad: (k: string, m: string, h?: string) => void): string | undefined {
  if (typeof v !== 'string') { bad(key, v === undefined ? 'is required' : 'must be a string address'); return undefined; }
  if (!isIP(v)) { bad(key, `${JSON.stringify(v)} is not an IPv4 or IPv6 address`); return undefined; }
  return v;
}

function protoField(v: unknown, key: string, bad: (k: string, m: string, h?: string) => void): IpProto | undefined {
  if (v === undefined) { bad(key, 'is required', 'one of 1 (icmp), 6 (tcp), 17 (udp), 58 (icmpv6)'); return undefined; }
  if (typeof v !== 'number' || !PROTOS.has(v)) { bad(key, `${JSON.stringify(v)} is not a supported protocol`, 'one of 1 (icmp), 6 (tcp), 17 (udp), 58 (icmpv6)'); return undefined; }
  return v as IpProto;
}

function portField(v: unknown, key: string, proto: IpProto | undefined, bad: (k: string, m: string, h?: string) => void): number | undefined {
  if (v === undefined) {
    if (proto !== undefined && !PORTLESS.has(proto)) bad(key, 'is required for tcp and udp');
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) { bad(key, `${JSON.stringify(v)} is not a port`, '1 to 65535'); return undefined; }
  if (proto !== undefined && PORTLESS.has(proto)) bad(key, 'icmp has no ports');
  return v;
}

function stringList(v: unknown, key: string, bad: (k: string, m: string, h?: string) => void): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) { bad(key, 'must be a list of strings'); return []; }
  return v as string[];
}

function checkKeys(t: Record<string, unknown>, known: string[], at: string, bad: (k: string, m: string, h?: string) => void): void {
  for (const k of Object.keys(t)) if (!known.includes(k)) bad(`${at}.${k}`, 'unknown key', `known: ${known.join(', ')}`);
}

export function familyOf(ip: string): IpFamily {
  return isIP(ip) === 6 ? 6 : 4;
}

function asTable(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) ? (v as Record<string, unknown>) : undefined;
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0] ?? '';
}
