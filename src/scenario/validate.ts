import { isIP } from 'node:net';
import path from 'node:path';
import { DRIVER_NAMES, type DriverChoice } from '../drivers/driver.js';
import { InvalidInput, type Problem } from '../errors.js';
import { UnreadableFile } from '../files.js';
import { parseZonlbConfig, zonlbConfigFromTable, type ZonlbConfig } from '../zonlb/config.js';
import { namedInterfaces } from '../zonlb/options.js';
import { asTable, Fields, type Origin, type Table } from './fields.js';
import { lineOf } from './source-lines.js';
import { isEthtoolFeature, sameIp, isIdentifier, isInterfaceName, isNetnsName, isNetSysctlKey, parseCidr } from './names.js';
import {
  CHECK_KINDS, type AddressSpec, type CheckKind, type CheckSpec, type LbSpec, type NetnsRef, type RouteSpec,
  type DeviceSpec, type QdiscSpec, type Scenario, type ServerSpec, type SysctlSpec, type VethEnd, type VethPair, type XdpHelper,
} from './types.js';

/** A file as read: its parsed table and its text (for line numbers). */
export interface SourceDoc extends Origin {
  doc: Table;
}

export interface ValidateInput {
  scenario: SourceDoc;
  topology?: SourceDoc;
  params: Scenario['params'];
  hash: string;
  /** Reads a file next to the scenario (the zonlb.toml); throws when missing. */
  readFile(file: string): string;
  /** Whether bpf/NAME.c exists. */
  xdpProgramExists(name: string): boolean;
}

const SCENARIO_KEYS = ['name', 'description', 'topology', 'params', 'netns', 'veth', 'address', 'route', 'sysctl', 'qdisc', 'device', 'lb', 'server', 'check', 'repeat', 'max_drop'];
const TOPOLOGY_KEYS = ['description', 'params', 'netns', 'veth', 'address', 'route', 'sysctl', 'qdisc', 'device'];
const TC_SIZE = /^\d+(\.\d+)?([kmgt]?(bit|bps|b)?)$/i;
const END_KEYS = ['name', 'netns', 'addresses', 'mtu', 'ethtool', 'xdp'];
const SYSCTL_VALUE = /^[A-Za-z0-9_.:-]{1,64}$/;

export function validateScenario(input: ValidateInput): Scenario {
  const problems: Problem[] = [];
  const top = new Fields(input.scenario.doc, '', input.scenario, problems).only(SCENARIO_KEYS);
  const topo = input.topology ? new Fields(input.topology.doc, '', input.topology, problems).only(TOPOLOGY_KEYS) : undefined;
  const sources = topo ? [topo, top] : [top];

  const name = top.string('name', { check: isIdentifier, what: 'a valid scenario name', hint: 'letters, digits, "-" and "_"' })
    ?? path.basename(input.scenario.file, '.toml');
  const description = top.string('description') ?? topo?.string('description') ?? '';

  // namespaces
  const namespaces: string[] = [];
  for (const item of items(sources, 'netns', problems)) {
    const ns = item.only(['name']).string('name', { required: true, check: isNetnsName, what: 'a valid namespace name', hint: 'letters, digits, "-", "_" and ".", at most 32 characters' });
    if (ns === undefined) continue;
    if (namespaces.includes(ns)) item.problem('name', `namespace ${ns} is declared twice`);
    else namespaces.push(ns);
  }
  const netnsRef = (f: Fields, key = 'netns'): NetnsRef | null => {
    const ns = f.string(key);
    if (ns === undefined) return undefined;
    if (!namespaces.includes(ns)) {
      f.problem(key, `namespace ${JSON.stringify(ns)} is not declared`, namespaces.length ? `declared: ${namespaces.join(', ')}; leave it out for the default namespace` : 'declare it with [[netns]] name = "…"');
      return null;
    }
    return ns;
  };

  // interfaces known per namespace: lo everywhere, plus the veth ends
  const devices = new Map<string, Set<string>>();
  const devKey = (ns: NetnsRef) => ns ?? '';
  const addDevice = (ns: NetnsRef, dev: string) => {
    const set = devices.get(devKey(ns)) ?? new Set(['lo']);
    devices.set(devKey(ns), set);
    if (set.has(dev)) return false;
    set.add(dev);
    return true;
  };
  const hasDevice = (ns: NetnsRef, dev: string) => dev === 'lo' || (devices.get(devKey(ns))?.has(dev) ?? false);
  const nsLabel = (ns: NetnsRef) => (ns === undefined ? 'the default namespace' : `namespace ${ns}`);

  const veths: VethPair[] = [];
  for (const item of items(sources, 'veth', problems)) {
    item.only(['a', 'b']);
    const a = vethEnd(item.sub('a'), input, netnsRef);
    const b = vethEnd(item.sub('b'), input, netnsRef);
    if (!item.has('a') || !item.has('b')) item.problem('', 'a veth pair needs both ends', 'add [veth.a] and [veth.b] tables with name (and netns for the end in a namespace)');
    if (!a || !b) continue;
    for (const [end, key] of [[a, 'a'], [b, 'b']] as const) {
      if (!addDevice(end.netns, end.name)) item.problem(`${key}.name`, `interface ${end.name} already exists in ${nsLabel(end.netns)}`);
    }
    veths.push({ a, b });
  }

  const devicesList: DeviceSpec[] = [];
  for (const item of items(sources, 'device', problems)) {
    const kind = item.string('kind', { required: true, check: (k) => k === 'vlan' || k === 'ip6tnl', what: 'a device kind', hint: 'vlan or ip6tnl' }) as 'vlan' | 'ip6tnl' | undefined;
    item.only(kind === 'vlan' ? ['kind', 'netns', 'name', 'link', 'id', 'addresses'] : ['kind', 'netns', 'name', 'mode', 'local', 'remote', 'addresses']);
    const ns = netnsRef(item);
    const dname = item.string('name', { required: true, check: isInterfaceName, what: 'a valid interface name', hint: 'at most 15 characters, no "/", ":" or spaces' });
    const addrs = item.stringList('addresses').map((a, i) => {
      const c = parseCidr(a);
      if (!c) item.problem(`addresses[${i}]`, `${JSON.stringify(a)} is not an address with a prefix`);
      return c;
    });
    if (!kind || ns === null || !dname || addrs.some((a) => !a)) continue;
    const cidrs = addrs as NonNullable<(typeof addrs)[number]>[];
    if (kind === 'vlan') {
      const link = item.string('link', { required: true, check: isInterfaceName, what: 'an interface name' });
      const id = item.integer('id', { required: true, min: 1, max: 4094 });
      if (!link || id === undefined) continue;
      if (!hasDevice(ns, link)) item.problem('link', `no interface ${link} in ${nsLabel(ns)}`, knownDevices(devices, ns));
      if (!addDevice(ns, dname)) item.problem('name', `interface ${dname} already exists in ${nsLabel(ns)}`);
      devicesList.push({ kind, netns: ns, name: dname, link, id, addresses: cidrs });
    } else {
      const mode = (item.string('mode', { check: (m) => ['any', 'ip6ip6', 'ipip6'].includes(m), what: 'an ip6tnl mode', hint: 'any, ip6ip6 or ipip6' }) ?? 'any') as 'any';
      const local = item.string('local', { check: (a) => isIP(a) === 6, what: 'an IPv6 address' });
      const remote = item.string('remote', { check: (a) => isIP(a) === 6, what: 'an IPv6 address' });
      if (!addDevice(ns, dname)) item.problem('name', `interface ${dname} already exists in ${nsLabel(ns)}`);
      devicesList.push({ kind, netns: ns, name: dname, mode, local, remote, addresses: cidrs });
    }
  }

  const addresses: AddressSpec[] = [];
  for (const item of items(sources, 'address', problems)) {
    item.only(['netns', 'dev', 'address']);
    const ns = netnsRef(item);
    const dev = item.string('dev', { required: true, check: isInterfaceName, what: 'an interface name', hint: 'at most 15 characters, no "/" or spaces' });
    const cidr = cidrField(item, 'address', true);
    if (ns === null || !dev || !cidr) continue;
    if (!hasDevice(ns, dev)) item.problem('dev', `no interface ${dev} in ${nsLabel(ns)}`, knownDevices(devices, ns));
    addresses.push({ netns: ns, dev, cidr });
  }

  const routes: RouteSpec[] = [];
  for (const item of items(sources, 'route', problems)) {
    item.only(['netns', 'to', 'via', 'dev', 'family']);
    const ns = netnsRef(item);
    const toText = item.string('to', { required: true, hint: '"default" or a prefix such as "10.2.0.0/24"' });
    const via = item.string('via', { check: (s) => isIP(s) !== 0, what: 'an IP address' });
    const dev = item.string('dev', { check: isInterfaceName, what: 'an interface name' });
    const familyField = item.integer('family', { min: 4, max: 6 });
    if (ns === null || toText === undefined) continue;
    let to: RouteSpec['to'] = 'default';
    let family: 4 | 6 | undefined;
    if (toText !== 'default') {
      const c = parseCidr(toText);
      if (!c) { item.problem('to', `${JSON.stringify(toText)} is not "default" or a prefix`, 'for example "10.2.0.0/24" or "2001:db8::/64"'); continue; }
      to = c;
      family = c.family;
    }
    if (via) {
      const vf = isIP(via) as 4 | 6;
      if (family && vf !== family) item.problem('via', `gateway ${via} is IPv${vf} but the route is IPv${family}`);
      family ??= vf;
    }
    if (familyField !== undefined && familyField !== 4 && familyField !== 6) item.problem('family', 'must be 4 or 6');
    family ??= familyField === 6 ? 6 : 4;
    if (!via && !dev) item.problem('', 'a route needs "via" or "dev"');
    if (dev && !hasDevice(ns, dev)) item.problem('dev', `no interface ${dev} in ${nsLabel(ns)}`, knownDevices(devices, ns));
    routes.push({ netns: ns, to, family, via, dev });
  }

  const sysctls: SysctlSpec[] = [];
  for (const item of items(sources, 'sysctl', problems)) {
    item.only(['netns', 'key', 'value', 'drivers']);
    const ns = netnsRef(item);
    const key = item.string('key', { required: true, check: isNetSysctlKey, what: 'a network sysctl key', hint: 'a dotted name under net., e.g. "net.ipv4.conf.veth0.accept_local"; other sysctls are not per namespace and are refused' });
    const raw = item.table.value;
    let value: string | undefined;
    if (raw === undefined) item.problem('value', 'is required');
    else if (typeof raw === 'number' && Number.isInteger(raw)) value = String(raw);
    else if (typeof raw === 'boolean') value = raw ? '1' : '0';
    else if (typeof raw === 'string' && SYSCTL_VALUE.test(raw)) value = raw;
    else item.problem('value', `${JSON.stringify(raw)} is not a plain sysctl value`, 'a number or a word of letters, digits, ".", ":", "_" and "-"');
    // the drivers key is gone: a driver brings what it needs itself (issue 12)
    if (item.has('drivers')) item.problem('drivers', 'is no longer part of a scenario: each driver sets the sysctls it needs itself (zonlab plan NAME --lb DRIVER shows them)', 'remove this [[sysctl]] if only a driver needed it, or remove its drivers key to keep it for every driver');
    if (ns === null || !key || value === undefined) continue;
    const m = /^net\.ipv[46]\.(?:conf|neigh)\.([^.]+)\./.exec(key);
    if (m && !['all', 'default', 'lo'].includes(m[1]!) && !hasDevice(ns, m[1]!)) {
      item.problem('key', `names interface ${m[1]} which is not in ${nsLabel(ns)}`, knownDevices(devices, ns));
    }
    sysctls.push({ netns: ns, key, value });
  }

  const qdiscs: QdiscSpec[] = [];
  for (const item of items(sources, 'qdisc', problems)) {
    item.only(['netns', 'dev', 'kind', 'rate', 'burst', 'latency']);
    const ns = netnsRef(item);
    const dev = item.string('dev', { required: true, check: isInterfaceName, what: 'an interface name' });
    const kind = item.string('kind', { check: (k) => k === 'tbf', what: 'a supported qdisc', hint: 'kind = "tbf" (netem is not in these kernels)' }) ?? 'tbf';
    const size = (key: string, required: boolean, fallback: string) => item.string(key, { required, check: (v) => TC_SIZE.test(v), what: 'a tc size or rate', hint: 'e.g. "10gbit", "1mb", "50ms"' }) ?? fallback;
    const rate = size('rate', true, '');
    const burst = size('burst', false, '1mb');
    const latency = item.string('latency', { check: (v) => /^\d+(ms|us|s)$/.test(v), what: 'a latency', hint: 'e.g. "50ms"' }) ?? '50ms';
    if (ns === null || !dev || !rate) continue;
    if (!hasDevice(ns, dev)) item.problem('dev', `no interface ${dev} in ${nsLabel(ns)}`, knownDevices(devices, ns));
    qdiscs.push({ netns: ns, dev, kind: kind as 'tbf', rate, burst, latency, at: { file: item.origin.file, key: `${item.path}.dev`, line: lineOf(item.origin.text, item.path) } });
  }

  const lb = lbSpec(top, input, problems, (ns, dev) => hasDevice(ns, dev));

  const servers: ServerSpec[] = [];
  for (const item of items([top], 'server', problems)) {
    item.only(['name', 'netns', 'address', 'port']);
    const sname = item.string('name', { required: true, check: isIdentifier, what: 'a valid name' });
    const ns = netnsRef(item);
    const address = item.string('address', { required: true, check: (s) => isIP(s) !== 0, what: 'an IP address' });
    const port = item.integer('port', { required: true, min: 1, max: 65535 });
    if (!sname || ns === null || !address || port === undefined) continue;
    if (servers.some((s) => s.name === sname)) { item.problem('name', `server ${sname} is declared twice`); continue; }
    const local = localAddresses(veths, addresses, ns, devicesList);
    if (!local.some((l) => sameIp(l, address))) item.problem('address', `${address} is not an address of ${nsLabel(ns)}`, local.length ? `its addresses: ${local.join(', ')}` : 'add it with [[address]]');
    servers.push({ name: sname, netns: ns, address, port });
  }

  const checks: CheckSpec[] = [];
  for (const item of items([top], 'check', problems)) {
    const check = checkSpec(item, servers, netnsRef, (ns, dev) => hasDevice(ns, dev) ? undefined : knownDevices(devices, ns));
    if (!check) continue;
    if (checks.some((c) => c.name === check.name)) item.problem('name', `check ${check.name} is declared twice`, 'give each check its own name');
    else checks.push(check);
  }

  const repeat = top.integer('repeat', { min: 1, max: 1000 }) ?? 1;
  let maxDrop: number | undefined;
  if (top.has('max_drop')) {
    const v = top.table.max_drop;
    if (typeof v !== 'number' || !(v > 0 && v < 1)) top.problem('max_drop', `${JSON.stringify(v)} is not a fraction`, 'e.g. 0.1 for 10%');
    else maxDrop = v;
  }

  if (problems.length) throw new InvalidInput(problems);
  return {
    name, description, files: [input.scenario.file, ...(input.topology ? [input.topology.file] : [])], hash: input.hash,
    params: input.params, namespaces, veths, addresses, routes, sysctls, qdiscs, devices: devicesList, lb, servers, checks, repeat, maxDrop,
  };
}

/** Items of an array of tables across the topology and the scenario, each with its own origin. */
function items(sources: Fields[], key: string, problems: Problem[]): Fields[] {
  const out: Fields[] = [];
  for (const src of sources) {
    const v = src.table[key];
    if (v === undefined) continue;
    if (!Array.isArray(v)) { src.problem(key, `must be an array of tables`, `write [[${key}]]`); continue; }
    v.forEach((entry, i) => {
      const t = asTable(entry);
      if (!t) { src.problem(`${key}[${i}]`, 'must be a table', `write [[${key}]]`); return; }
      out.push(new Fields(t, `${key}[${i}]`, src.origin, problems));
    });
  }
  return out;
}

function vethEnd(f: Fields | undefined, input: ValidateInput, netnsRef: (f: Fields) => NetnsRef | null): VethEnd | undefined {
  if (!f) return undefined;
  f.only(END_KEYS);
  const name = f.string('name', { required: true, check: isInterfaceName, what: 'a valid interface name', hint: 'at most 15 characters of letters, digits, "-", "_" and "."; no "/", ":" or spaces' });
  const netns = netnsRef(f);
  const addresses = f.stringList('addresses').map((a, i) => {
    const c = parseCidr(a);
    if (!c) f.problem(`addresses[${i}]`, `${JSON.stringify(a)} is not an address with a prefix`, 'for example "10.0.0.1/24" or "2001:db8::1/120"');
    return c;
  });
  const mtu = f.integer('mtu', { min: 68, max: 65535 });
  const ethtool: VethEnd['ethtool'] = {};
  const eth = f.sub('ethtool');
  for (const [feature, v] of Object.entries(eth?.table ?? {})) {
    if (!isEthtoolFeature(feature)) eth!.problem(feature, 'is not an ethtool feature name', 'as `ethtool -k` prints them, e.g. "tx" or "tx-checksumming"');
    else if (v !== 'on' && v !== 'off' && typeof v !== 'boolean') eth!.problem(feature, `must be "on" or "off"`);
    else ethtool[feature] = v === true || v === 'on' ? 'on' : 'off';
  }
  const xdp = xdpHelper(f, input);
  if (!name || netns === null || addresses.some((a) => !a)) return undefined;
  return { netns, name, addresses: addresses as NonNullable<(typeof addresses)[number]>[], mtu, ethtool, xdp };
}

function xdpHelper(f: Fields, input: ValidateInput): XdpHelper | undefined {
  const v = f.table.xdp;
  if (v === undefined) return undefined;
  const isProgram = (s: string) => /^[a-z0-9_]{1,64}$/.test(s);
  let program: string | undefined;
  let section = 'xdp';
  let belowKernel: string | undefined;
  if (typeof v === 'string') {
    program = f.string('xdp', { check: isProgram, what: 'a program name', hint: 'the name of a bpf/NAME.c file' });
  } else {
    const x = f.sub('xdp');
    if (!x) return undefined;
    x.only(['program', 'section', 'below_kernel']);
    program = x.string('program', { required: true, check: isProgram, what: 'a program name', hint: 'the name of a bpf/NAME.c file' });
    section = x.string('section', { check: (s) => /^[A-Za-z0-9_./-]{1,64}$/.test(s), what: 'an ELF section name' }) ?? 'xdp';
    belowKernel = x.string('below_kernel', { check: (s) => /^\d+\.\d+$/.test(s), what: 'a kernel version', hint: 'e.g. "6.0"' });
  }
  if (!program) return undefined;
  if (!input.xdpProgramExists(program)) { f.problem('xdp', `no XDP program bpf/${program}.c`, 'zonlab ships bpf/xdp_pass.c'); return undefined; }
  return { program, section, belowKernel };
}

function cidrField(f: Fields, key: string, required: boolean) {
  const s = f.string(key, { required });
  if (s === undefined) return undefined;
  const c = parseCidr(s);
  if (!c) f.problem(key, `${JSON.stringify(s)} is not an address with a prefix`, 'for example "127.0.0.23/24" or "2001:db8::1/128"');
  return c;
}

function lbSpec(top: Fields, input: ValidateInput, problems: Problem[], hasDevice: (ns: NetnsRef, dev: string) => boolean): LbSpec {
  const f = top.sub('lb');
  if (!f) return { driver: 'none' };
  f.only(['driver', 'config', 'zonlb']);
  const driver = (f.string('driver', { check: (s) => (DRIVER_NAMES as readonly string[]).includes(s), what: 'a driver', hint: `one of ${DRIVER_NAMES.join(', ')}` }) ?? 'auto') as DriverChoice;
  let config: ZonlbConfig | undefined;
  let configText: string | undefined;
  const file = f.string('config', { check: (s) => /^[A-Za-z0-9_./-]{1,200}$/.test(s) && !s.split('/').includes('..'), what: 'a file name next to the scenario', hint: 'a relative path without ".."' });
  if (file && f.has('zonlb')) f.problem('zonlb', 'give either config (a file) or an inline [lb.zonlb] table, not both');
  try {
    if (file) {
      const full = path.resolve(path.dirname(input.scenario.file), file);
      try {
        configText = input.readFile(full);
      } catch (err) {
        f.problem('config', `cannot read ${full}${err instanceof UnreadableFile ? `: ${err.why}` : ''}`, 'the zonlb.toml path is relative to the scenario file');
      }
      if (configText !== undefined) config = parseZonlbConfig(configText, full);
    } else if (f.has('zonlb')) {
      const inline = f.sub('zonlb');
      if (inline) config = zonlbConfigFromTable(inline.table, `${input.scenario.file} [lb.zonlb]`);
    } else if (driver !== 'none') {
      f.problem('config', 'is required unless driver = "none"', 'config = "NAME.zonlb.toml", next to the scenario');
    }
  } catch (err) {
    if (err instanceof InvalidInput) problems.push(...err.problems);
    else throw err;
  }
  for (const ifname of config?.interfaces ?? []) {
    if (!hasDevice(undefined, ifname)) f.problem(file ? 'config' : 'zonlb', `the load balancer config names interface ${ifname}, which the scenario does not create in the default namespace`);
  }
  // zon-lb looks up the interfaces options name (redirect=IF, if=IF) when it loads them
  const endpoints = (config?.services ?? []).flatMap((s) => [{ key: `netif.${s.netif}.${s.gid}`, options: s.options }, ...s.backends.map((b) => ({ key: `backend.${b.key}`, options: b.options }))]);
  for (const e of endpoints) {
    for (const n of namedInterfaces(e.options)) {
      if (!hasDevice(undefined, n.ifname)) problems.push({ file: config!.file, key: `${e.key}.options`, message: `${n.option} names interface ${n.ifname}, which the scenario does not create in the default namespace`, hint: 'zon-lb logs "No \'IF\' interface" as an ERROR' });
    }
  }
  return { driver, config, configText };
}

/** missingDevice: undefined when the device exists in that namespace, else a hint naming the ones that do. */
function checkSpec(f: Fields, servers: ServerSpec[], netnsRef: (f: Fields, key?: string) => NetnsRef | null, missingDevice: (ns: NetnsRef, dev: string) => string | undefined): CheckSpec | undefined {
  const kind = f.string('kind', { required: true, check: (s) => (CHECK_KINDS as readonly string[]).includes(s), what: 'a check kind', hint: `one of ${CHECK_KINDS.join(', ')}` }) as CheckKind | undefined;
  const common = ['name', 'kind', 'from', 'to', 'timeout'];
  const allowed: Record<CheckKind, string[]> = {
    telnet: [...common, 'port', 'server', 'expect_source', 'interface'],
    nc: [...common, 'port', 'server', 'proto', 'expect_source'],
    ping: [...common, 'count', 'size', 'expect_received', 'min_received', 'interface'],
    iperf: [...common, 'port', 'server', 'duration', 'parallel', 'enhanced', 'window'],
    iperf3: [...common, 'port', 'server', 'duration', 'omit', 'parallel', 'reverse', 'udp', 'bitrate', 'window'],
  };
  if (kind) f.only(allowed[kind]);
  const name = f.string('name', { check: isIdentifier, what: 'a valid name' }) ?? kind;
  const from = netnsRef(f, 'from');
  const to = f.string('to', { required: true, check: (s) => isIP(s) !== 0, what: 'an IP address', hint: 'the address the client connects to: the VIP' });
  const timeoutMs = (f.integer('timeout', { min: 1, max: 3600, hint: 'seconds' }) ?? 20) * 1000;
  if (!kind || from === null || !to || !name) return undefined;
  const base = { name, from, to, timeoutMs };
  const device = f.string('interface', { check: isInterfaceName, what: 'an interface name', hint: 'the device the client leaves through, as ping -I or curl --interface take it' });
  const noDevice = device === undefined ? undefined : missingDevice(from, device);
  if (noDevice) f.problem('interface', `no interface ${device} where the client runs`, noDevice);
  if (kind === 'ping') {
    const count = f.integer('count', { min: 1, max: 100_000 }) ?? 3;
    const exact = f.integer('expect_received', { min: 0, max: 100_000, hint: 'how many of the count echoes must be answered' });
    const least = f.integer('min_received', { min: 0, max: 100_000, hint: 'how many of the count echoes must at least be answered' });
    if (exact !== undefined && least !== undefined) f.problem('min_received', 'give expect_received or min_received, not both');
    const expectReceived = exact ?? least ?? count;
    if (expectReceived > count) f.problem(exact !== undefined ? 'expect_received' : 'min_received', `${expectReceived} replies expected but only ${count} echoes are sent`, 'at most count');
    return { ...base, kind, count, size: f.integer('size', { min: 0, max: 65_507 }) ?? 56, expectReceived, atLeast: least !== undefined, interface: device };
  }
  const port = f.integer('port', { required: true, min: 1, max: 65535 });
  const serverName = f.string('server', { required: true, hint: 'the name of a [[server]]' });
  const server = servers.find((s) => s.name === serverName);
  if (serverName && !server) f.problem('server', `no server named ${JSON.stringify(serverName)}`, servers.length ? `servers: ${servers.map((s) => s.name).join(', ')}` : 'declare one with [[server]]');
  if (server && isIP(server.address) !== isIP(to)) {
    f.problem('to', `an IPv${isIP(server.address)} server (${server.address}) behind an IPv${isIP(to)} address (${to})`, 'the client and the server must use the same IP family');
  }
  if (port === undefined || !server) return undefined;
  if (kind === 'telnet' || kind === 'nc') {
    const proto = (f.string('proto', { check: (s) => s === 'tcp' || s === 'udp', what: 'tcp or udp' }) ?? 'tcp') as 'tcp' | 'udp';
    if (kind === 'telnet' && proto !== 'tcp') f.problem('proto', 'telnet is TCP only');
    const expectSource = f.string('expect_source', { check: (s) => isIP(s) !== 0, what: 'an IP address' });
    return { ...base, kind, port, server, proto, expectSource, interface: device };
  }
  const udp = f.boolean('udp') ?? false;
  const bitrate = f.string('bitrate', { check: (s) => /^\d+(\.\d+)?[KMG]?$/.test(s), what: 'a bitrate', hint: 'e.g. "100M" or "1G"' });
  if (udp && !bitrate) f.problem('bitrate', 'is required with udp = true', 'iperf3 sends UDP at 1 Mbit/s unless told: e.g. bitrate = "1G"');
  const duration = f.integer('duration', { min: 1, max: 3600 }) ?? 10;
  const omit = f.integer('omit', { min: 0, max: 60 }) ?? (kind === 'iperf3' ? 1 : 0);
  const window = f.string('window', { check: (s) => /^\d{1,7}[KM]?$/.test(s), what: 'a socket buffer size', hint: 'as iperf -w takes it, e.g. "64K"' });
  return {
    ...base, kind, port, server, duration, omit, enhanced: f.boolean('enhanced') ?? false, window,
    parallel: f.integer('parallel', { min: 1, max: 128 }) ?? 1,
    reverse: f.boolean('reverse') ?? false,
    udp, bitrate,
    timeoutMs: Math.max(timeoutMs, (duration + omit + 20) * 1000),
  };
}

function localAddresses(veths: VethPair[], addresses: AddressSpec[], ns: NetnsRef, devices: DeviceSpec[] = []): string[] {
  const out: string[] = [];
  for (const d of devices) if (d.netns === ns) out.push(...d.addresses.map((c) => c.address));
  for (const v of veths) for (const end of [v.a, v.b]) if (end.netns === ns) out.push(...end.addresses.map((c) => c.address));
  for (const a of addresses) if (a.netns === ns) out.push(a.cidr.address);
  out.push('127.0.0.1', '::1'); // every namespace has its own loopback
  return out;
}

function knownDevices(devices: Map<string, Set<string>>, ns: NetnsRef): string {
  return `interfaces there: ${[...(devices.get(ns ?? '') ?? new Set(['lo']))].join(', ')}`;
}
