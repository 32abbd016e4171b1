import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { InvalidInput } from '../../src/errors.js';
import { parseZonlbConfig, zonlbConfigFromTable } from '../../src/zonlb/config.js';
import { namedInterfaces, parseOptions } from '../../src/zonlb/options.js';

const scenarios = fileURLToPath(new URL('../../../scenarios/', import.meta.url));
const GROUP = '[netif.veth0.1]\nip = "10.0.0.1"\nproto = 6\nport = 23\n';
const BACKEND = (options: string) => `[backend.1_0]\nip = "10.2.0.2"\nport = 223\noptions = ${options}\n`;

function problemsOf(text: string) {
  try {
    parseZonlbConfig(text, 'z.toml');
  } catch (err) {
    if (err instanceof InvalidInput) return err.problems;
    throw err;
  }
  return [];
}

/** zonlab's own scenarios (issue 23) declare backend-less groups on the backends' links, only so that the program runs there. */
const zonlabOwn = new Set([
  'backend-change.zonlb.toml',
  'spread-ipv4.zonlb.toml',
  'spread-ipv6.zonlb.toml',
  'conn-rate.zonlb.toml',
  'conntrack-pressure.zonlb.toml',
]);

test('every shipped zonlb.toml reads without a problem or a warning (zonlab\'s own: only "no backend" for groups that place the program)', (t) => {
  for (const f of readdirSync(scenarios).filter((n) => n.endsWith('.zonlb.toml'))) {
    const c = parseZonlbConfig(readFileSync(path.join(scenarios, f), 'utf8'), f);
    const warnings = zonlabOwn.has(f)
      ? c.warnings.filter((w) => !w.message.startsWith('this group has no backend'))
      : c.warnings;
    t.deepEqual(warnings, [], f);
    t.true(c.services.length > 0, f);
  }
});

test('options as options.rs reads them: case-insensitive flags, aliases, key=value with the value as written', (t) => {
  const { options, problems } = parseOptions([
    'TX',
    'Redirect=veth2',
    'no_CT',
    'Disable',
    'SRC_IP=10.2.0.1',
    'mac=02-00-00-00-00-01',
    'vlan=+10',
    'if=veth2',
    'ipv4',
    'replace',
    'frob',
    'color=red',
  ]);
  t.deepEqual(problems, []);
  t.deepEqual(options.flags, ['disable', 'tx', 'no_nat', 'redirect', 'ipv4']);
  t.deepEqual(options.props, {
    redirect: 'veth2',
    src_ip: '10.2.0.1',
    mac: '02-00-00-00-00-01',
    vlan: '+10',
    if: 'veth2',
    replace: '',
  });
  t.deepEqual(options.unknown, ['frob', 'color=red']);
  t.like(options, { redirect: true, tx: true, srcIp: '10.2.0.1', dsrL2: false });
  for (const alias of ['no_nat', 'no_conntrack', 'NO_CT'])
    t.deepEqual(parseOptions([alias]).options.flags, ['no_nat'], alias);
});

const refused = test.macro((t, option: string, message: RegExp) => {
  const { problems } = parseOptions([option]);
  t.is(problems.length, 1);
  t.regex(problems[0]!.message, message);
});
test('a bad address is refused', refused, 'alt_addr=10.0.0', /not an IPv4 or IPv6 address/);
test('a multicast MAC is refused', refused, 'if_mac=01:00:5e:00:00:01', /not a unicast MAC/);
test('a VLAN past 65535 is refused', refused, 'vlan=70000', /not a number from 0 to 65535/);
test('an interface name with a slash is refused', refused, 'redirect=a/b', /not an interface name/);

test('what zon-lb accepts loads, with a warning for what zonlab does not know or use', (t) => {
  const text = [
    'comment = "zon-lb ignores unknown keys"',
    '[actions]\nclean = "None"\nlater = 1\n[actions.nd]\nfill = true',
    `${GROUP}weight = 3`,
    '[netif.veth0.2]\nip = "10.0.0.1"\nproto = 17\nport = 23\noptions = ["disable"]',
    BACKEND('["TX", "REDIRECT", "src_ip=10.2.0.1", "no_ct", "mac=02:00:00:00:00:01", "vlan=7", "if=veth2", "frob"]'),
    '[backend.9_0]\nip = "10.2.0.9"\nport = 1',
  ].join('\n');
  const c = parseZonlbConfig(text, 'z.toml');
  t.deepEqual(
    c.warnings.map((w) => w.key),
    ['comment', 'netif.veth0.1.weight', 'backend.1_0.options', 'backend.9_0', 'actions.later', 'netif.veth0.2'],
  );
  t.regex(c.warnings.find((w) => w.key === 'netif.veth0.2')!.message, /no backend: zon-lb passes its packets on/);
  t.regex(c.warnings.find((w) => w.key === 'backend.9_0')!.message, /no group 9 .*does not load this backend/);
  t.like(c, { ndFill: true, clean: 'None', interfaces: ['veth0'] });
  t.deepEqual(c.services[1]!.options.flags, ['disable']);
  t.deepEqual(c.services[0]!.backends[0]!.options.flags, ['tx', 'no_nat', 'redirect']);
});

test("zon-lb's defaults: proto 0 takes the group's, port 0, options empty", (t) => {
  const c = parseZonlbConfig(`${GROUP}[backend.1_0]\nip = "10.2.0.2"\n`, 'z.toml');
  t.like(c.services[0]!.backends[0]!, { proto: 6, port: undefined });
  t.deepEqual(c.services[0]!.backends[0]!.options.raw, []);
  t.regex(c.warnings[0]!.message, /no port: zon-lb at cf3fa6f rewrites the destination port to 0/);
});

const problem = test.macro((t, text: string, key: string, message: RegExp) => {
  const ps = problemsOf(text);
  t.true(
    ps.some((p) => p.key === key && message.test(p.message)),
    JSON.stringify(ps),
  );
});
test('netif is required (serde: missing field)', problem, BACKEND('[]'), 'netif', /is required/);
test('backend is required, even empty', problem, GROUP, 'backend', /is required/);
test(
  'proto is a u8',
  problem,
  `${GROUP.replace('proto = 6', 'proto = 256')}${BACKEND('[]')}`,
  'netif.veth0.1.proto',
  /not a protocol number/,
);
test(
  'a group id is a u16',
  problem,
  `${GROUP.replace('veth0.1', 'veth0.x')}backend = {}`,
  'netif.veth0.x',
  /group id must be a whole number/,
);
test(
  'clean knows only None',
  problem,
  `[actions]\nclean = "all"\n${GROUP}${BACKEND('[]')}`,
  'actions.clean',
  /not a clean option/,
);
test(
  'nd.fill is a boolean',
  problem,
  `[actions.nd]\nfill = "yes"\n${GROUP}${BACKEND('[]')}`,
  'actions.nd.fill',
  /true or false/,
);
test(
  "a backend's protocol is its group's",
  problem,
  `${GROUP}${BACKEND('[]')}proto = 17\n`,
  'backend.1_0.proto',
  /not the group's/,
);
test(
  'a bad option value names the option',
  problem,
  `${GROUP}${BACKEND('["src_ip=10.2.0.x"]')}`,
  'backend.1_0.options',
  /src_ip=10\.2\.0\.x: .* not an IPv4 or IPv6 address/,
);

test('an inline table reaches zon-lb as TOML that reads back the same', (t) => {
  const table = parse(`${GROUP}${BACKEND('["redirect"]')}`) as Record<string, unknown>;
  const c = zonlbConfigFromTable(table, 's.toml [lb.zonlb]');
  t.deepEqual(parse(c.text), table);
  t.is(c.services[0]!.backends[0]!.ip, '10.2.0.2');
});

// Issue 22: accepted and refused exactly as zon-lb at cf3fa6f does (config.rs, backends.rs check_compat, options.rs, helpers.rs)
const GROUP2 = (netif: string, gid: string, port = 23) =>
  `[netif.${netif}.${gid}]\nip = "10.0.0.1"\nproto = 6\nport = ${port}\n`;
const load = (text: string) => parseZonlbConfig(text, 'z.toml');

test("zon-lb loads: the same group id under two interfaces; its backends go to the last in zon-lb's order (interface names sorted)", (t) => {
  const c = load(`${GROUP2('vethb', '1')}${GROUP2('vetha', '1', 24)}${BACKEND('[]')}`);
  t.deepEqual(
    c.services.map((s) => `${s.netif}:${s.backends.length}`),
    ['vethb:1', 'vetha:0'],
  );
  t.regex(
    c.warnings.find((w) => w.key === 'netif.vetha.1')!.message,
    /group id 1 is also netif\.vethb\.1: zon-lb gives backend\.1_\* to that group, this one gets none/,
  );
});

test('zon-lb loads: a src_ip of the other family (unchecked), with a warning', (t) => {
  const c = load(`${GROUP}${BACKEND('["src_ip=fd00::1"]')}`);
  t.is(c.services[0]!.backends[0]!.options.srcIp, 'fd00::1');
  t.regex(
    c.warnings.find((w) => w.key === 'backend.1_0.options')!.message,
    /not the same family .* loads it unchecked/,
  );
});

test("zon-lb loads: a dsr_l3 backend whose protocol differs from the group's (check_compat exempts dsr_l3)", (t) => {
  const c = load(`${GROUP}[backend.1_0]\nip = "10.2.0.2"\nproto = 17\noptions = ["dsr_l3"]\n`);
  t.is(c.services[0]!.backends[0]!.proto, 17);
});

for (const mac of [
  '02aabb',
  '2',
  '02aabbccddee',
  '2:0:0:0:0:1',
  '02-aa-bb-cc-dd-ee',
  '+2:0:0:0:0:1',
  '002:0:0:0:0:1',
]) {
  test(`zon-lb loads: mac=${mac} (parse_mac)`, (t) => t.deepEqual(parseOptions([`mac=${mac}`]).problems, []));
}
for (const mac of ['02aabbccddeeff', '02:aa:bb:cc:dd', '100:0:0:0:0:1', '01', '', '02:aa:bb:cc:dd:ee:ff', 'g2']) {
  test(`zon-lb refuses: mac=${mac}`, refused, `mac=${mac}`, /not a unicast MAC/);
}

test('zon-lb loads: redirect=if#N and if=if#N name an index, not an interface the lab must have', (t) => {
  const { options, problems } = parseOptions(['redirect=if#3', 'if=if#12']);
  t.deepEqual(problems, []);
  t.deepEqual(namedInterfaces(options), []);
  t.deepEqual(namedInterfaces(parseOptions(['redirect=veth2']).options), [
    { option: 'redirect=veth2', ifname: 'veth2' },
  ]);
});

test(
  "zon-lb refuses: an IPv6 zone id (Rust's IpAddr reads none)",
  problem,
  `[netif.veth0.1]\nip = "fe80::1%veth0"\nproto = 6\nport = 23\nbackend = {}\n`,
  'netif.veth0.1.ip',
  /zone id/,
);
test('zon-lb refuses: a src_ip with a zone id', refused, 'src_ip=fe80::1%veth0', /not an IPv4 or IPv6 address/);
test(
  'zon-lb refuses: proto = 6.0 (serde: a float for a u8)',
  problem,
  `${GROUP.replace('proto = 6', 'proto = 6.0')}${BACKEND('[]')}`,
  'netif.veth0.1.proto',
  /is a float/,
);
test(
  'zon-lb refuses: port = 223.0 in a backend',
  problem,
  `${GROUP}${BACKEND('[]').replace('port = 223', 'port = 223.0')}`,
  'backend.1_0.port',
  /is a float/,
);
test(
  'zon-lb refuses: two groups with the same VIP, protocol and port (Group::replace drops the first)',
  problem,
  `${GROUP2('veth0', '1')}${GROUP2('veth1', '2')}${BACKEND('[]')}`,
  'netif.veth1.2',
  /VIP, protocol and port of netif\.veth0\.1: zon-lb replaces that group/,
);

test('backends in zon-lb\'s order: the keys\' byte order, "1_10" before "1_2"', (t) => {
  const bes = ['1_2', '1_10', '1_1'].map((k) => `[backend.${k}]\nip = "10.2.0.${k.slice(2)}"\nport = 223\n`).join('');
  t.deepEqual(
    load(`${GROUP}${bes}`).services[0]!.backends.map((b) => b.key),
    ['1_1', '1_10', '1_2'],
  );
});
