import { readFileSync } from 'node:fs';
import test from 'ava';
import { parse, stringify } from 'smol-toml';
import { InvalidInput } from '../../src/errors.js';
import { validateScenario } from '../../src/scenario/validate/index.js';
import { loadScenario } from '../../src/scenario/load.js';

// the hostile corpus's valid base (scripts/make-hostile-corpus.mjs writes both)
const FIXTURES = new URL('../../../test/fixtures/hostile/', import.meta.url);
const ZONLB = readFileSync(new URL('ok.zonlb.toml', FIXTURES), 'utf8');
const BASE = readFileSync(new URL('base.toml', FIXTURES), 'utf8');

function validate(text: string, zonlb = ZONLB) {
  return validateScenario({
    scenario: { file: '/s/t.toml', text, doc: parse(text) as Record<string, unknown> },
    params: {},
    hash: 'h',
    readFile: () => zonlb,
    xdpProgramExists: (n) => n === 'xdp_pass',
  });
}

/** BASE with more [[check]] tables, each from the client in zone1 to the VIP unless it says otherwise. */
function withChecks(...checks: Record<string, unknown>[]): string {
  return `${BASE}\n${stringify({ check: checks.map((c) => ({ from: 'zone1', to: '10.0.0.1', ...c })) })}`;
}

function problems(text: string, zonlb = ZONLB) {
  const err = (() => {
    try {
      validate(text, zonlb);
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  if (!(err instanceof InvalidInput)) throw new Error(`expected InvalidInput, got ${String(err)}`);
  return err.problems;
}

test('the base scenario is valid and resolved', (t) => {
  const s = validate(BASE);
  t.deepEqual(s.namespaces, ['zone1']);
  t.is(s.veths[0]!.b.netns, 'zone1');
  t.deepEqual(s.veths[0]!.a.ethtool, { tx: 'off' });
  t.is(s.lb.config!.services[0]!.backends[0]!.ip, '127.0.0.23');
  t.is(s.checks[0]!.kind, 'telnet');
});

test('an ethtool feature set to "" is left as the kernel has it: no setting, so a parameter can ask for none', (t) => {
  const s = validate(BASE.replace('ethtool = { tx = "off" }', 'ethtool = { tx = "off", tso = "" }'));
  t.deepEqual(s.veths[0]!.a.ethtool, { tx: 'off' });
});

test('the shipped veth-netns scenario is valid', (t) => {
  const s = loadScenario('veth-netns');
  t.is(s.name, 'veth-netns');
  t.deepEqual(
    s.checks.map((c) => c.kind),
    ['telnet', 'nc', 'nc', 'iperf', 'iperf3'],
  );
  t.regex(s.hash, /^[0-9a-f]{16}$/);
});

const cases: [string, (s: string) => string, RegExp, string][] = [
  ['unknown top-level key gets a did-you-mean', (s) => `checks = 1\n${s}`, /unknown key/, 'did you mean'],
  [
    'interface name longer than 15 characters',
    (s) => s.replace('name = "veth0"', 'name = "averyveryverylongname"'),
    /not a valid interface name/,
    'veth[0].a.name',
  ],
  [
    'interface name with a slash',
    (s) => s.replace('name = "veth0"', 'name = "ve/th0"'),
    /not a valid interface name/,
    'veth[0].a.name',
  ],
  [
    'interface name with a space',
    (s) => s.replace('name = "veth0"', 'name = "veth 0"'),
    /not a valid interface name/,
    'veth[0].a.name',
  ],
  [
    'shell metacharacters in a namespace name',
    (s) => s.replace('name = "zone1"', 'name = "$(reboot)"'),
    /not a valid namespace name/,
    'netns[0].name',
  ],
  [
    'invalid CIDR',
    (s) => s.replace('"10.0.0.1/24"', '"10.0.0.300/24"'),
    /not an address with a prefix/,
    'veth[0].a.addresses[0]',
  ],
  [
    'prefix out of range',
    (s) => s.replace('"127.0.0.23/24"', '"127.0.0.23/33"'),
    /not an address with a prefix/,
    'address[0].address',
  ],
  ['undeclared namespace', (s) => s.replace('from = "zone1"', 'from = "zone9"'), /not declared/, 'check[0].from'],
  [
    'address on an interface that does not exist',
    (s) => s.replace('dev = "lo"', 'dev = "eth7"'),
    /no interface eth7/,
    'address[0].dev',
  ],
  [
    'sysctl key with ..',
    (s) => s.replace('net.ipv4.conf.veth0.accept_local', 'net.ipv4..conf'),
    /not a network sysctl key/,
    'sysctl[0].key',
  ],
  [
    'sysctl key with /',
    (s) => s.replace('net.ipv4.conf.veth0.accept_local', 'net/ipv4/conf/all/forwarding'),
    /not a network sysctl key/,
    'sysctl[0].key',
  ],
  [
    'sysctl outside net. is refused',
    (s) => s.replace('net.ipv4.conf.veth0.accept_local', 'kernel.panic'),
    /not a network sysctl key/,
    'sysctl[0].key',
  ],
  [
    'sysctl on an interface the namespace lacks',
    (s) => s.replace('net.ipv4.conf.veth0.accept_local', 'net.ipv4.conf.veth1.accept_local'),
    /names interface veth1/,
    'sysctl[0].key',
  ],
  // drivers bring their own sysctls now (issue 12): an old file says what to do instead
  [
    'sysctl for some drivers only',
    (s) => s.replace('value = 1', 'value = 1\ndrivers = ["embedded"]'),
    /no longer part of a scenario: each driver sets the sysctls it needs itself/,
    'sysctl[0].drivers',
  ],
  [
    'sysctl value with a shell metacharacter',
    (s) => s.replace('value = 1', 'value = "1;reboot"'),
    /not a plain sysctl value/,
    'sysctl[0].value',
  ],
  ['port out of range', (s) => s.replace('port = 223', 'port = 70000'), /out of range/, 'server[0].port'],
  ['negative port', (s) => s.replace('port = 23', 'port = -1'), /out of range/, 'check[0].port'],
  [
    'server address that is not in its namespace',
    (s) => s.replace('address = "127.0.0.23"', 'address = "10.9.9.9"'),
    /is not an address of the default namespace/,
    'server[0].address',
  ],
  [
    'IPv4 server behind an IPv6 VIP',
    (s) => s.replace('to = "10.0.0.1"', 'to = "2001:db8::1"'),
    /IPv4 server .* behind an IPv6/,
    'check[0].to',
  ],
  ['unknown check kind', (s) => s.replace('kind = "telnet"', 'kind = "curl"'), /not a check kind/, 'check[0].kind'],
  [
    'check that names an unknown server',
    (s) => s.replace('server = "backend"', 'server = "nope"'),
    /no server named/,
    'check[0].server',
  ],
  [
    'duplicate namespace',
    (s) => s.replace('[[veth]]', '[[netns]]\nname = "zone1"\n[[veth]]'),
    /declared twice/,
    'netns[1].name',
  ],
  ['wrong type', (s) => s.replace('port = 223', 'port = "223"'), /out of range/, 'server[0].port'],
  ['missing required key', (s) => s.replace('to = "10.0.0.1"\n', ''), /is required/, 'check[0].to'],
  [
    'unknown key inside a check',
    (s) => s.replace('port = 23', 'port = 23\nduraton = 5'),
    /unknown key/,
    'check[0].duraton',
  ],
  [
    'unknown XDP program',
    (s) => s.replace('addresses = ["10.0.0.2/24"] }', 'addresses = ["10.0.0.2/24"], xdp = "evil" }'),
    /no XDP program/,
    'veth[0].b.xdp',
  ],
  [
    'ethtool value other than on/off',
    (s) => s.replace('tx = "off"', 'tx = "maybe"'),
    /must be "on" or "off"/,
    'veth[0].a.ethtool.tx',
  ],
];

for (const [title, edit, message, key] of cases) {
  test(`invalid: ${title}`, (t) => {
    const ps = problems(edit(BASE));
    const p = ps.find((x) => message.test(x.message) || x.key.includes(key));
    t.truthy(p, JSON.stringify(ps));
    t.regex(p!.message, message);
    t.true(p!.key.includes(key) || (p!.hint ?? '').includes(key), `${p!.key} / ${p!.hint}`);
    t.is(p!.file, '/s/t.toml');
  });
}

test('problems carry line numbers', (t) => {
  const ps = problems(BASE.replace('port = 223', 'port = 0'));
  const p = ps.find((x) => x.key === 'server[0].port')!;
  t.is(BASE.split('\n')[p.line! - 1]!.trim(), 'port = 223');
});

test('every problem is reported at once', (t) => {
  const ps = problems(
    BASE.replace('port = 223', 'port = 0').replace('kind = "telnet"', 'kind = "x"').replace('"10.0.0.2/24"', '"nope"'),
  );
  t.true(ps.length >= 3);
});

test('zonlb.toml problems name the zonlb file and key', (t) => {
  const ps = problems(BASE, ZONLB.replace('options = ["redirect"]', 'options = ["redirect", "src_ip=nope"]'));
  t.is(ps[0]!.file, '/s/ok.zonlb.toml');
  t.is(ps[0]!.key, 'backend.1_0.options');
  t.regex(ps[0]!.message, /src_ip=nope: "nope" is not an IPv4 or IPv6 address/);
});

test('what zon-lb accepts and zonlab does not know is a warning on the config, not a problem', (t) => {
  const s = validate(BASE, ZONLB.replace('options = ["redirect"]', 'options = ["Redirect", "frobnicate"]'));
  t.deepEqual(
    s.lb.config!.warnings.map((w) => [w.file, w.key]),
    [['/s/ok.zonlb.toml', 'backend.1_0.options']],
  );
  t.regex(s.lb.config!.warnings[0]!.message, /unknown option "frobnicate"/);
  t.true(s.lb.config!.services[0]!.backends[0]!.options.redirect, 'options are case-insensitive');
});

test('an option naming an interface the scenario lacks is refused: zon-lb looks it up', (t) => {
  const ps = problems(BASE, ZONLB.replace('options = ["redirect"]', 'options = ["redirect=veth9", "if=veth0"]'));
  t.is(ps.length, 1);
  t.is(ps[0]!.key, 'backend.1_0.options');
  t.regex(ps[0]!.message, /redirect=veth9 names interface veth9, which the scenario does not create/);
});

test('zonlb.toml naming an interface the scenario lacks', (t) => {
  const ps = problems(BASE, ZONLB.replace('[netif.veth0.1]', '[netif.veth7.1]'));
  t.regex(ps[0]!.message, /names interface veth7/);
});

test('a config path with .. is refused', (t) => {
  const ps = problems(BASE.replace('config = "ok.zonlb.toml"', 'config = "../../etc/shadow"'));
  t.is(ps[0]!.key, 'lb.config');
});

test('zon-lb README expectations: ping replies expected (exact or at least), iperf -e and -w, a device to leave through', (t) => {
  const s = validate(
    withChecks(
      { name: 'pmtud', kind: 'ping', count: 3, size: 2040, expect_received: 2, through: 'none' },
      { name: 'pmtud4', kind: 'ping', count: 3, min_received: 2, interface: 'veth1', through: 'none' },
      { name: 'iperf', kind: 'iperf', port: 23, server: 'backend', enhanced: true, window: '64K' },
    ),
  );
  const [pmtud, pmtud4, iperf] = s.checks.slice(1);
  t.like(pmtud, { kind: 'ping', count: 3, size: 2040, expectReceived: 2, atLeast: false });
  t.like(pmtud4, { kind: 'ping', expectReceived: 2, atLeast: true, interface: 'veth1' });
  t.like(iperf, { kind: 'iperf', enhanced: true, window: '64K' });
  t.like(s.checks[0], { kind: 'telnet', interface: undefined });
});

test('ping expectations that cannot hold, and a device the client does not have, are refused with the key', (t) => {
  const ps = problems(
    withChecks(
      { name: 'p1', kind: 'ping', count: 3, expect_received: 4, through: 'none' },
      { name: 'p2', kind: 'ping', expect_received: 1, min_received: 1, through: 'none' },
      { name: 'p3', kind: 'ping', interface: 'veth0', through: 'none' },
      { name: 'i', kind: 'iperf', port: 23, server: 'backend', window: 'a lot' },
    ),
  );
  t.deepEqual(
    ps.map((p) => p.key),
    ['check[1].expect_received', 'check[2].min_received', 'check[3].interface', 'check[4].window'],
  );
  t.regex(ps[2]!.hint!, /interfaces there: lo, veth1/);
});

test('a zonlb.toml that is not there: "cannot read FILE: no such file", the reason said once (issue 24)', async (t) => {
  const { UnreadableFile } = await import('../../src/files.js');
  const err = (() => {
    try {
      validateScenario({
        scenario: { file: '/s/t.toml', text: BASE, doc: parse(BASE) as Record<string, unknown> },
        params: {},
        hash: 'h',
        readFile: (f) => {
          throw new UnreadableFile(f, 'cannot read: no such file');
        },
        xdpProgramExists: () => true,
      });
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  t.true(err instanceof InvalidInput);
  const p = (err as InvalidInput).problems.find((x) => x.key === 'lb.config')!;
  t.regex(p.message, /^cannot read \/s\/\S+: no such file$/);
});

test('a bad address on a veth end is the one problem: the interface is still declared for the tables that name it (issue 24)', (t) => {
  // the base's sysctl names veth0 and its zonlb.toml attaches to veth0: neither may report it missing
  const ps = problems(BASE.replace('addresses = ["10.0.0.1/24"]', 'addresses = ["10.0.0.1.5/24"]'));
  t.deepEqual(
    ps.map((p) => p.key),
    ['veth[0].a.addresses[0]'],
  );
  // the other end of the pair too
  const other = problems(BASE.replace('addresses = ["10.0.0.2/24"]', 'addresses = ["nope"]'));
  t.deepEqual(
    other.map((p) => p.key),
    ['veth[0].b.addresses[0]'],
  );
  // a name given twice is still refused
  const twice = problems(
    BASE.replace('b = { name = "veth1"', 'b = { name = "veth1"').replace(
      'name = "veth1", netns = "zone1"',
      'name = "veth0"',
    ),
  );
  t.true(
    twice.some(
      (p) => p.key === 'veth[0].b.name' && /interface veth0 already exists in the default namespace/.test(p.message),
    ),
    JSON.stringify(twice),
  );
});

test('a misspelt key in a [[check]] is an unknown key with its correction, not a missing kind (issue 24)', (t) => {
  const ps = problems(withChecks({ name: 'typo', knd: 'telnet', port: 23, server: 'backend' }));
  t.deepEqual(
    ps.map((p) => [p.key, p.message, p.hint]),
    [['check[1].knd', 'unknown key', 'did you mean "kind"?']],
  );
  // no kind and nothing like it: still required
  const none = problems(withChecks({ name: 'nokind', port: 23, server: 'backend' }));
  t.deepEqual(
    none.map((p) => [p.key, p.message]),
    [['check[1].kind', 'is required']],
  );
  // an unknown key beside a kind is reported as before
  const both = problems(withChecks({ name: 'both', kind: 'telnet', port: 23, sever: 'backend' }));
  t.true(
    both.some((p) => p.key === 'check[1].sever' && p.hint === 'did you mean "server"?'),
    JSON.stringify(both),
  );
});

// Issue 22: ip_fragmentation's setup.sh raises an MTU below 1280 (IPv6's minimum) to 1280; the scenario accepted down to 68
test('ip-fragmentation: backend_mtu below 1280 is refused (IPv6 on the link), 1280 is taken', async (t) => {
  const { loadScenario } = await import('../../src/scenario/load.js');
  const err = t.throws(() => loadScenario('ip-fragmentation', { set: { backend_mtu: '1279' } })) as {
    problems?: { key: string; message: string }[];
  };
  t.true(
    err.problems?.some((p) => /mtu$/.test(p.key) && /below IPv6's minimum MTU \(1280\)/.test(p.message)),
    JSON.stringify(err.problems),
  );
  t.notThrows(() => loadScenario('ip-fragmentation', { set: { backend_mtu: '1280' } }));
});

test('a check that reaches no service of the zonlb.toml is refused, naming the services it could have meant, unless through = "none"', (t) => {
  const ps = problems(
    withChecks({ name: 'ping-vip', kind: 'ping' }, { name: 'wrong-port', kind: 'telnet', port: 24, server: 'backend' }),
  );
  t.deepEqual(
    ps.map((p) => p.key),
    ['check[1].to', 'check[2].to'],
  );
  t.regex(
    ps[0]!.message,
    /check ping-vip \(ping 10\.0\.0\.1\) reaches no service of the zonlb\.toml.*could have meant: gid 1 \(10\.0\.0\.1 tcp\/23\)/,
  );
  t.regex(ps[1]!.message, /check wrong-port \(telnet 10\.0\.0\.1 port 24\)/);
  t.regex(ps[0]!.hint!, /through = "none"/);
  const s = validate(withChecks({ name: 'ping-vip', kind: 'ping', through: 'none' }));
  t.like(s.checks[1], { name: 'ping-vip', through: 'none' });
  // "lb" is the default said aloud: the check must still reach a service
  t.is(problems(withChecks({ name: 'p', kind: 'ping', through: 'lb' }))[0]!.key, 'check[1].to');
  t.is(problems(withChecks({ name: 'p', kind: 'ping', through: 'bypass' }))[0]!.key, 'check[1].through');
});

test('expect_source is a condition of iperf and iperf3 checks too (the server-side address is recorded)', (t) => {
  const s = validate(
    withChecks(
      { name: 'iperf', kind: 'iperf', port: 23, server: 'backend', expect_source: '10.0.0.1' },
      { name: 'iperf3', kind: 'iperf3', port: 23, server: 'backend', expect_source: '10.0.0.1' },
    ),
  );
  t.like(s.checks[1], { kind: 'iperf', expectSource: '10.0.0.1' });
  t.like(s.checks[2], { kind: 'iperf3', expectSource: '10.0.0.1' });
});
