import { isIP } from 'node:net';
import type { Fields } from '../fields.js';
import { closest, isIdentifier } from '../names.js';
import { isInterfaceName } from '../../../lab/net.js';
import type { ZonlbService } from '../../zonlb/config.js';
import { nearServices, servicesOf } from '../services.js';
import { CHECK_KINDS, type CheckKind, type CheckSpec, type ServerSpec } from '../types.js';
import type { Declared } from './context.js';
import { behaviourCheck, BEHAVIOUR_KEYS } from './behaviour.js';

/**
 * [[check]]: what to run from where, against which server; every check named once. With a
 * zonlb.toml, a check must reach one of its services (same VIP, protocol and port) or say
 * `through = "none"`: a check that misses every service would pass with no evidence at all.
 */
export function validateChecks(
  top: Fields,
  d: Declared,
  servers: ServerSpec[],
  services?: readonly ZonlbService[],
): CheckSpec[] {
  const checks: CheckSpec[] = [];
  for (const item of d.items([top], 'check')) {
    const check = checkSpec(item, servers, d);
    if (!check) continue;
    if (services && check.through !== 'none' && !servicesOf(check, services).length) {
      item.problem(
        'to',
        `check ${check.name} (${check.kind} ${check.to}${'port' in check ? ` port ${check.port}` : ''}) reaches no service of the zonlb.toml, so nothing could prove the load balancer carried it; the services it could have meant: ${nearServices(check, services).join(', ') || 'none (the zonlb.toml has no group)'}`,
        'correct to/port/proto to a group of the zonlb.toml, or declare through = "none" for a check that is meant to bypass the load balancer',
      );
    }
    if (checks.some((c) => c.name === check.name))
      item.problem('name', `check ${check.name} is declared twice`, 'give each check its own name');
    else checks.push(check);
  }
  return checks;
}

/** A key that is missing while an unknown key is one typo from it ("knd"): "unknown key, did you mean" says it all. */
const misspelt = (f: Fields, key: string) =>
  !f.has(key) && Object.keys(f.table).some((k) => k !== key && closest(k, [key]) === key);

function checkSpec(f: Fields, servers: ServerSpec[], d: Declared): CheckSpec | undefined {
  const kind = f.string('kind', {
    required: !misspelt(f, 'kind'),
    check: (s) => (CHECK_KINDS as readonly string[]).includes(s),
    what: 'a check kind',
    hint: `one of ${CHECK_KINDS.join(', ')}`,
  }) as CheckKind | undefined;
  const common = ['name', 'kind', 'from', 'to', 'timeout', 'through'];
  const allowed: Record<CheckKind, string[]> = {
    telnet: [...common, 'port', 'server', 'expect_source', 'interface'],
    nc: [...common, 'port', 'server', 'proto', 'expect_source'],
    ping: [...common, 'count', 'size', 'expect_received', 'min_received', 'interface'],
    iperf: [...common, 'port', 'server', 'duration', 'parallel', 'enhanced', 'window', 'expect_source'],
    iperf3: [
      ...common,
      'port',
      'server',
      'duration',
      'omit',
      'parallel',
      'reverse',
      'udp',
      'bitrate',
      'window',
      'expect_source',
    ],
    ...(Object.fromEntries(Object.entries(BEHAVIOUR_KEYS).map(([k, keys]) => [k, [...common, ...keys]])) as Record<
      keyof typeof BEHAVIOUR_KEYS,
      string[]
    >),
  };
  f.only(kind ? allowed[kind] : [...new Set(Object.values(allowed).flat())]);
  const name = f.string('name', { check: isIdentifier, what: 'a valid name' }) ?? kind;
  const from = d.netnsRef(f, 'from');
  const to = f.string('to', {
    required: true,
    check: (s) => isIP(s) !== 0,
    what: 'an IP address',
    hint: 'the address the client connects to: the VIP',
  });
  const timeoutMs = (f.integer('timeout', { min: 1, max: 3600, hint: 'seconds' }) ?? 20) * 1000;
  if (!kind || from === null || !to || !name) return undefined;
  // "lb", the default said aloud, lets a parameter choose either (lb-bench: the VIP, or the backend straight)
  const through = f.string('through', {
    check: (s) => s === 'none' || s === 'lb',
    what: '"none" or "lb"',
    hint: 'through = "none" declares a check that does not go through the load balancer; "lb" (the default) one that does',
  }) as 'none' | 'lb' | undefined;
  const base = { name, from, to, timeoutMs, ...(through === 'none' ? { through } : {}) };
  const device = f.string('interface', {
    check: isInterfaceName,
    what: 'an interface name',
    hint: 'the device the client leaves through, as ping -I or curl --interface take it',
  });
  if (device !== undefined && !d.hasDevice(from, device))
    f.problem('interface', `no interface ${device} where the client runs`, d.knownDevices(from));
  if (kind === 'ping') {
    const count = f.integer('count', { min: 1, max: 100_000 }) ?? 3;
    const exact = f.integer('expect_received', {
      min: 0,
      max: 100_000,
      hint: 'how many of the count echoes must be answered',
    });
    const least = f.integer('min_received', {
      min: 0,
      max: 100_000,
      hint: 'how many of the count echoes must at least be answered',
    });
    if (exact !== undefined && least !== undefined)
      f.problem('min_received', 'give expect_received or min_received, not both');
    const expectReceived = exact ?? least ?? count;
    if (expectReceived > count)
      f.problem(
        exact !== undefined ? 'expect_received' : 'min_received',
        `${expectReceived} replies expected but only ${count} echoes are sent`,
        'at most count',
      );
    return {
      ...base,
      kind,
      count,
      size: f.integer('size', { min: 0, max: 65_507 }) ?? 56,
      expectReceived,
      atLeast: least !== undefined,
      interface: device,
    };
  }
  if (kind === 'spread' || kind === 'hold' || kind === 'rr' || kind === 'crr')
    return behaviourCheck(f, kind, base, servers);
  const port = f.integer('port', { required: true, min: 1, max: 65535 });
  const serverName = f.string('server', { required: true, hint: 'the name of a [[server]]' });
  const server = servers.find((s) => s.name === serverName);
  if (serverName && !server)
    f.problem(
      'server',
      `no server named ${JSON.stringify(serverName)}`,
      servers.length ? `servers: ${servers.map((s) => s.name).join(', ')}` : 'declare one with [[server]]',
    );
  if (server && isIP(server.address) !== isIP(to)) {
    f.problem(
      'to',
      `an IPv${isIP(server.address)} server (${server.address}) behind an IPv${isIP(to)} address (${to})`,
      'the client and the server must use the same IP family',
    );
  }
  if (port === undefined || !server) return undefined;
  const expectSource = f.string('expect_source', { check: (s) => isIP(s) !== 0, what: 'an IP address' });
  if (kind === 'telnet' || kind === 'nc') {
    const proto = (f.string('proto', { check: (s) => s === 'tcp' || s === 'udp', what: 'tcp or udp' }) ?? 'tcp') as
      'tcp' | 'udp';
    if (kind === 'telnet' && proto !== 'tcp') f.problem('proto', 'telnet is TCP only');
    return { ...base, kind, port, server, proto, expectSource, interface: device };
  }
  const udp = f.boolean('udp') ?? false;
  const bitrate = f.string('bitrate', {
    check: (s) => /^\d+(\.\d+)?[KMG]?$/.test(s),
    what: 'a bitrate',
    hint: 'e.g. "100M" or "1G"',
  });
  if (udp && !bitrate)
    f.problem(
      'bitrate',
      'is required with udp = true',
      'iperf3 sends UDP at 1 Mbit/s unless told: e.g. bitrate = "1G"',
    );
  const duration = f.integer('duration', { min: 1, max: 3600 }) ?? 10;
  const omit = f.integer('omit', { min: 0, max: 60 }) ?? (kind === 'iperf3' ? 1 : 0);
  const window = f.string('window', {
    check: (s) => /^\d{1,7}[KM]?$/.test(s),
    what: 'a socket buffer size',
    hint: 'as iperf -w takes it, e.g. "64K"',
  });
  return {
    ...base,
    kind,
    port,
    server,
    duration,
    omit,
    enhanced: f.boolean('enhanced') ?? false,
    window,
    parallel: f.integer('parallel', { min: 1, max: 128 }) ?? 1,
    reverse: f.boolean('reverse') ?? false,
    udp,
    bitrate,
    expectSource,
    timeoutMs: Math.max(timeoutMs, (duration + omit + 20) * 1000),
  };
}
