import { parse as parseToml, stringify, TomlError } from 'smol-toml';
import { isIP } from 'node:net';
import { InvalidInput, type Problem } from '../errors.js';
import { asTable } from '../files.js';
import { isInterfaceName } from '../../lab/net.js';
import { parseOptions, type EndpointOptions } from './options.js';
import { isIcmp, isKnownProtocol, KNOWN_PROTOCOLS } from '../ip-protocols.js';

/** zon-lb's zonlb.toml by zon-lb's own rules ([netif.IF.GID], [backend.GID_IDX], [actions]): what zon-lb refuses is an error, what zonlab cannot use a warning. */
export type IpFamily = 4 | 6;

export interface ZonlbBackend {
  key: string; // "1_0"
  index: number;
  ip: string;
  family: IpFamily;
  /** The group's when absent or 0, as zon-lb has it. */
  proto: number;
  /** Undefined when absent (zon-lb then writes port 0; zonlab's drivers keep the client's). */
  port?: number;
  options: EndpointOptions;
}

export interface ZonlbService {
  netif: string;
  gid: number;
  vip: string;
  family: IpFamily;
  proto: number;
  /** 0 when absent, as zon-lb has it (ICMP groups have none). */
  port: number;
  options: EndpointOptions;
  backends: ZonlbBackend[];
}

export interface ZonlbConfig {
  file: string;
  /** What zon-lb gets: the file's text as read, or the inline [lb.zonlb] table written out. */
  text: string;
  services: ZonlbService[];
  ndFill?: boolean;
  /** [actions] clean: zon-lb knows only "None". */
  clean?: string;
  /** The netifs named in [netif.*], in file order: where a driver attaches. */
  interfaces: string[];
  /** What zon-lb accepts and zonlab does not know or will not use: printed, never fatal. */
  warnings: Problem[];
}

const EP_KEYS = ['ip', 'proto', 'port', 'options'];

type Report = (key: string, message: string, hint?: string) => void;

/** Parses zonlb.toml text; every problem is collected and reported at once with its key. */
export function parseZonlbConfig(text: string, file: string): ZonlbConfig {
  let doc: Record<string, unknown>;
  const floats = new Set<string>();
  try {
    // integers as BigInt, so that a float (`proto = 6.0`, which serde refuses for a u8) can be told from one
    doc = numbersOf(parseToml(text, { integersAsBigInt: true }), '', floats) as Record<string, unknown>;
  } catch (err) {
    const line = err instanceof TomlError ? err.line : undefined;
    throw new InvalidInput([{ file, key: '', line, message: `not valid TOML: ${firstLine(err)}` }]);
  }
  return zonlbConfigFromTable(doc, file, text, floats);
}

/** The parsed document with plain numbers again; the keys of floats are collected. */
function numbersOf(v: unknown, key: string, floats: Set<string>): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') {
    floats.add(key);
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => numbersOf(x, `${key}[${i}]`, floats));
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, numbersOf(x, key ? `${key}.${k}` : k, floats)]));
  }
  return v;
}

/** An inline [lb.zonlb] table (or a parsed file, with its text): zon-lb gets it as TOML. */
export function zonlbConfigFromTable(
  doc: Record<string, unknown>,
  file: string,
  text?: string,
  floats: ReadonlySet<string> = new Set(),
): ZonlbConfig {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const bad: Report = (key, message, hint) => problems.push({ file, key, message, hint });
  const warn: Report = (key, message, hint) => warnings.push({ file, key, message, hint });
  for (const key of floats) {
    if (/^(netif\.[^.]+\.[^.]+|backend\.[^.]+)\.(proto|port)$/.test(key))
      bad(
        key,
        'is a float: zon-lb reads a whole number (serde: invalid type: floating point)',
        `write ${key.split('.').pop()} = 6, not 6.0`,
      );
  }

  for (const top of Object.keys(doc)) {
    if (!['netif', 'backend', 'actions'].includes(top))
      warn(top, 'zon-lb ignores this key', 'zonlb.toml has [netif.IF.GID], [backend.GID_IDX] and [actions]');
  }
  const services = readGroups(doc, bad, warn);
  readBackends(doc, services, bad, warn);
  const { ndFill, clean } = readActions(doc.actions, bad, warn);
  for (const s of services) {
    // zon-lb adds them in its BTreeMap's order, the keys' byte order ("1_10" before "1_2"): the order it indexes them in
    s.backends.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (s.backends.length === 0)
      warn(
        `netif.${s.netif}.${s.gid}`,
        'this group has no backend: zon-lb passes its packets on untouched',
        `add [backend.${s.gid}_0]`,
      );
  }
  const toml = text ?? tomlText(doc, bad);
  if (problems.length) throw new InvalidInput(problems);
  const interfaces = Object.keys(asTable(doc.netif) ?? {});
  if (interfaces.length === 0) warn('netif', 'no interface: zon-lb attaches to nothing');
  return { file, text: toml, services, ndFill, clean, interfaces, warnings };
}

/** zon-lb's order of groups: its BTreeMaps', interface names then group keys, each in byte order. */
const zonlbOrder = (a: { netif: string; key: string }, b: { netif: string; key: string }) =>
  a.netif !== b.netif ? (a.netif < b.netif ? -1 : 1) : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

function readGroups(doc: Record<string, unknown>, bad: Report, warn: Report): ZonlbService[] {
  const services: ZonlbService[] = [];
  const seen: { netif: string; key: string; service: ZonlbService }[] = [];
  const netif = requiredTable(doc, 'netif', bad);
  for (const [ifname, groups] of Object.entries(netif ?? {})) {
    if (!isInterfaceName(ifname))
      bad(`netif.${ifname}`, 'not a valid interface name', 'at most 15 characters, no "/", spaces or ":"');
    const groupTable = asTable(groups);
    if (!groupTable) {
      bad(`netif.${ifname}`, 'must be a table of groups [netif.IF.GID]');
      continue;
    }
    for (const [gidText, value] of Object.entries(groupTable)) {
      const key = `netif.${ifname}.${gidText}`;
      if (!/^\+?\d{1,5}$/.test(gidText) || Number(gidText) > 65535) {
        bad(
          key,
          'group id must be a whole number from 0 to 65535',
          'zon-lb logs "Invalid group id" and skips the group',
        );
        continue;
      }
      const ep = readEndpoint(value, key, bad, warn);
      if (!ep) continue;
      const gid = Number(gidText);
      if (ep.proto !== 0 && !isKnownProtocol(ep.proto))
        warn(`${key}.proto`, `protocol ${ep.proto}: zonlab's checks and drivers know ${KNOWN_PROTOCOLS}`);
      if (ep.proto === 0)
        warn(`${key}.proto`, 'no protocol (0): this group matches no packet', `one of ${KNOWN_PROTOCOLS}`);
      if (!isIcmp(ep.proto) && ep.proto !== 0 && ep.port === undefined)
        warn(`${key}.port`, 'no port: zon-lb matches only port 0');
      if (isIcmp(ep.proto) && ep.port)
        warn(`${key}.port`, 'zon-lb looks ICMP up with port 0: a port makes this group match nothing');
      const service: ZonlbService = {
        netif: ifname,
        gid,
        vip: ep.ip,
        family: familyOf(ep.ip),
        proto: ep.proto,
        port: ep.port ?? 0,
        options: ep.options,
        backends: [],
      };
      services.push(service);
      seen.push({ netif: ifname, key: gidText, service });
    }
  }
  seen.sort(zonlbOrder);
  seen.forEach((g, i) => {
    const later = seen.slice(i + 1);
    const here = `netif.${g.netif}.${g.key}`;
    // one key per VIP, protocol and port in zon-lb's group maps (all interfaces): Group::replace removes the earlier
    const same = later.find(
      (o) =>
        o.service.vip === g.service.vip && o.service.proto === g.service.proto && o.service.port === g.service.port,
    );
    if (same)
      bad(
        `netif.${same.netif}.${same.key}`,
        `has the VIP, protocol and port of ${here}: zon-lb replaces that group with this one, and that group's backends fail to load`,
        'give each group its own VIP, protocol or port',
      );
    // config group ids map to zon-lb's own: the last group of an id in zon-lb's order takes its backends
    const again = later.filter((o) => o.service.gid === g.service.gid).pop();
    if (again)
      warn(
        here,
        `group id ${g.service.gid} is also netif.${again.netif}.${again.key}: zon-lb gives backend.${g.service.gid}_* to that group, this one gets none`,
        'give each group its own id',
      );
  });
  return services;
}

/** The group zon-lb gives a config group id's backends: the last of that id in its order. */
function groupOf(services: ZonlbService[], gid: number): ZonlbService | undefined {
  return services
    .filter((s) => s.gid === gid)
    .sort((a, b) => zonlbOrder({ netif: a.netif, key: '' }, { netif: b.netif, key: '' }))
    .pop();
}

function readBackends(doc: Record<string, unknown>, services: ZonlbService[], bad: Report, warn: Report): void {
  const backends = requiredTable(doc, 'backend', bad);
  for (const [name, value] of Object.entries(backends ?? {})) {
    const key = `backend.${name}`;
    const ep = readEndpoint(value, key, bad, warn);
    if (!ep) continue;
    // zon-lb's from_backend_key: "GID_IDX", anything that does not parse is 0
    const [gidText = '0', indexText = '0'] = name.includes('_')
      ? [name.slice(0, name.indexOf('_')), name.slice(name.indexOf('_') + 1)]
      : [];
    const gid = u16(gidText);
    if (!/^\d{1,5}_\d{1,5}$/.test(name))
      warn(
        key,
        `backend names are GID_IDX: zon-lb reads this one as group ${gid}`,
        'for example [backend.1_0] for the first backend of group 1',
      );
    const service = groupOf(services, gid);
    if (!service) {
      warn(key, `no group ${gid} in [netif.*]: zon-lb does not load this backend`);
      continue;
    }
    const proto = ep.proto === 0 ? service.proto : ep.proto;
    const family = familyOf(ep.ip);
    // check_compat: dsr_l3 (tunnelling) is exempt from the protocol and family checks
    if (proto !== service.proto && !ep.options.dsrL3) {
      bad(
        `${key}.proto`,
        `protocol ${ep.proto} is not the group's (${service.proto})`,
        'zon-lb refuses it ("Incompatible backend protocol"); leave proto out to take the group\'s',
      );
      continue;
    }
    if (family !== service.family && !ep.options.dsrL3) {
      bad(
        `${key}.ip`,
        `backend ${ep.ip} is IPv${family} but the service's VIP ${service.vip} is IPv${service.family}`,
        'only dsr_l3 (tunnelling) can cross families',
      );
      continue;
    }
    if (ep.options.srcIp && familyOf(ep.options.srcIp) !== family)
      warn(
        `${key}.options`,
        `src_ip=${ep.options.srcIp} is not the same family as the backend ${ep.ip}: zon-lb loads it unchecked, and its program writes part of that address as the source`,
        `a src_ip of the backend's family (IPv${family})`,
      );
    if (ep.port === undefined && !isIcmp(proto) && !ep.options.dsrL2 && !ep.options.dsrL3) {
      warn(
        `${key}.port`,
        "no port: zon-lb at cf3fa6f rewrites the destination port to 0; zonlab's embedded and nft drivers keep the client's",
      );
    }
    service.backends.push({
      key: name,
      index: u16(indexText),
      ip: ep.ip,
      family,
      proto,
      port: ep.port,
      options: ep.options,
    });
  }
}

interface Endpoint {
  ip: string;
  proto: number;
  port?: number;
  options: EndpointOptions;
}

/** zon-lb's EP: ip required; proto (u8), port (u16) and options default; other keys ignored. */
function readEndpoint(value: unknown, key: string, bad: Report, warn: Report): Endpoint | undefined {
  const entry = asTable(value);
  if (!entry) {
    bad(key, 'must be a table with ip, proto, port and options');
    return undefined;
  }
  for (const k of Object.keys(entry))
    if (!EP_KEYS.includes(k)) warn(`${key}.${k}`, 'zon-lb ignores this key', `known: ${EP_KEYS.join(', ')}`);
  const ip = ipField(entry.ip, `${key}.ip`, bad);
  const proto = integerField(
    entry.proto,
    `${key}.proto`,
    255,
    bad,
    'a protocol number from 0 to 255 (zon-lb reads a u8)',
  );
  const port = integerField(entry.port, `${key}.port`, 65535, bad, 'a port from 0 to 65535');
  const raw = stringList(entry.options, `${key}.options`, bad);
  const { options, problems } = parseOptions(raw);
  for (const p of problems)
    bad(`${key}.options`, `${p.option}: ${p.message}`, 'zon-lb logs this as an ERROR and leaves the option out');
  for (const u of options.unknown)
    warn(
      `${key}.options`,
      `unknown option ${JSON.stringify(u)}: zon-lb at cf3fa6f logs it as an ERROR, which fails a zon-lb load`,
      'known flags: disable, tx, dsr_l2, dsr_l3, no_nat, redirect, ipv4, ipv6; keys: redirect=, src_ip=, alt_addr=, mac=, vlan=, if=, …',
    );
  if (ip === undefined || proto === null || port === null) return undefined;
  return { ip, proto: proto ?? 0, port, options };
}

function readActions(v: unknown, bad: Report, warn: Report): { ndFill?: boolean; clean?: string } {
  if (v === undefined) return {};
  const actions = asTable(v);
  if (!actions) {
    bad('actions', 'must be a table');
    return {};
  }
  let ndFill: boolean | undefined;
  let clean: string | undefined;
  for (const [name, value] of Object.entries(actions)) {
    if (name === 'nd') {
      const nd = asTable(value);
      if (!nd) {
        bad('actions.nd', 'must be a table');
        continue;
      }
      for (const k of Object.keys(nd))
        if (k !== 'fill') warn(`actions.nd.${k}`, 'zon-lb ignores this key', 'known: fill');
      if (nd.fill !== undefined && typeof nd.fill !== 'boolean') bad('actions.nd.fill', 'must be true or false');
      else ndFill = nd.fill as boolean | undefined;
    } else if (name === 'clean') {
      if (value !== 'None')
        bad('actions.clean', `${JSON.stringify(value)} is not a clean option`, 'zon-lb knows only "None"');
      else clean = value;
    } else {
      warn(`actions.${name}`, 'zon-lb ignores this key', 'known: nd, clean');
    }
  }
  return { ndFill, clean };
}

function tomlText(doc: Record<string, unknown>, bad: Report): string {
  try {
    return stringify(doc);
  } catch (err) {
    bad('', `cannot be written out as TOML for zon-lb: ${firstLine(err)}`);
    return '';
  }
}

function requiredTable(doc: Record<string, unknown>, name: string, bad: Report): Record<string, unknown> | undefined {
  if (doc[name] === undefined) {
    bad(
      name,
      `is required (zon-lb: missing field \`${name}\`)`,
      name === 'netif' ? '[netif.IF.GID] tables' : '[backend.GID_IDX] tables, or backend = {} for none',
    );
    return undefined;
  }
  const t = asTable(doc[name]);
  if (!t) bad(name, 'must be a table');
  return t;
}

function ipField(v: unknown, key: string, bad: Report): string | undefined {
  if (typeof v !== 'string') {
    bad(key, v === undefined ? 'is required' : 'must be a string address');
    return undefined;
  }
  if (!isIP(v)) {
    bad(key, `${JSON.stringify(v)} is not an IPv4 or IPv6 address`);
    return undefined;
  }
  // Node reads a zone id (fe80::1%veth0), Rust's IpAddr does not
  if (v.includes('%')) {
    bad(key, `${JSON.stringify(v)} has a zone id, which zon-lb's address parser refuses`, 'leave out %IF');
    return undefined;
  }
  return v;
}

/** undefined when absent, null when wrong. */
function integerField(v: unknown, key: string, max: number, bad: Report, what: string): number | undefined | null {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    bad(key, `${JSON.stringify(v)} is not ${what}`);
    return null;
  }
  return v;
}

function stringList(v: unknown, key: string, bad: Report): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    bad(key, 'must be a list of strings');
    return [];
  }
  return v as string[];
}

function u16(text: string): number {
  return /^\+?\d{1,5}$/.test(text) && Number(text) <= 65535 ? Number(text) : 0;
}

export function familyOf(ip: string): IpFamily {
  return isIP(ip) === 6 ? 6 : 4;
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0] ?? '';
}
