import test from 'ava';
import { readFileSync } from 'node:fs';
import { CAPABILITIES, lacking as lackingIn, ROWS } from '../../src/drivers/capabilities.js';
import { cannotServe, DRIVERS } from '../../src/drivers/kinds.js';
import { loadScenario } from '../../src/scenario/load.js';
import { parseZonlbConfig, type ZonlbConfig } from '../../src/zonlb/config.js';

const GROUP = (options = '[]', proto = 6) =>
  `[netif.veth0.1]\nip = "10.0.0.1"\nproto = ${proto}\nport = ${proto === 6 ? 23 : 0}\noptions = ${options}\n`;
const BACKEND = (options: string, key = '1_0', ip = '10.2.0.2') =>
  `[backend.${key}]\nip = "${ip}"\nport = 223\noptions = ${options}\n`;
const config = (text: string) => parseZonlbConfig(text, '/s/z.zonlb.toml');
const withBackend = (options: string) => config(`${GROUP()}${BACKEND(options)}`);
const lacking = (driver: 'embedded' | 'nft', cfg: ZonlbConfig) => lackingIn(driver, CAPABILITIES[driver], cfg);

test("each of zon-lb's options has one answer per subset driver, in one table", (t) => {
  for (const [driver, { table }] of Object.entries(CAPABILITIES)) {
    t.deepEqual(Object.keys(table).sort(), [...ROWS].sort(), driver);
    for (const [row, s] of Object.entries(table))
      t.true(s.does ? s.how.length > 10 : s.why.length > 10, `${driver} ${row} says why`);
  }
});

// what only zon-lb does in a backend's options, by the name each is refused with
const BACKEND_ONLY: Record<string, string> = {
  disable: '["redirect", "Disable"]',
  no_nat: '["redirect", "no_nat"]',
  no_ct: '["redirect", "NO_CT"]',
  no_conntrack: '["redirect", "no_conntrack"]',
  'redirect=': '["redirect=veth2"]',
  'mac=': '["redirect", "mac=02:00:00:00:00:02"]',
  'if_mac=': '["redirect", "if_mac=02:00:00:00:00:01"]',
  'vlan=': '["redirect", "vlan=10"]',
  'if=': '["redirect", "if=veth2"]',
  'ip=': '["redirect", "ip=10.2.0.2"]',
  'ipmask=': '["redirect", "ipmask=10.2.0.0"]',
  'port=': '["redirect", "port=223"]',
  'log_filter=': '["redirect", "log_filter=info"]',
  replace: '["redirect", "replace"]',
  'alt_addr=': '["redirect", "alt_addr=10.2.0.9"]',
  'a backend without redirect': '["tx"]',
  'unknown option "frob"': '["redirect", "frob"]',
};
// each refused by name, with the key and the file, by both subset drivers
type Refused = [label: string, cfg: ReturnType<typeof config>, where: string];
const ZONLB_ONLY: Refused[] = [
  ...Object.entries(BACKEND_ONLY).map(([label, options]): Refused => [label, withBackend(options), 'backend 1_0']),
  ['group option "disable"', config(`${GROUP('["disable"]')}${BACKEND('["redirect"]')}`), 'netif.veth0.1'],
  [
    'protocol 47',
    config(`${GROUP('[]', 47)}[backend.1_0]\nip = "10.2.0.2"\noptions = ["redirect"]\n`),
    'netif.veth0.1',
  ],
  ['IPv4 to IPv6', config(`${GROUP()}${BACKEND('["redirect", "dsr_l3"]', '1_0', '2001:db8::2')}`), 'backend 1_0'],
];

test('L2 DSR: the embedded program serves it, nft (NAT) refuses it by name', (t) => {
  const cfg = withBackend('["redirect", "dsr_l2"]');
  t.deepEqual(lacking('embedded', cfg), []);
  t.deepEqual(lacking('nft', cfg), [
    'the nft driver cannot do dsr_l2 (backend 1_0 in /s/z.zonlb.toml): NAT is not direct server return',
  ]);
});

for (const [label, cfg, where] of ZONLB_ONLY) {
  for (const driver of ['embedded', 'nft'] as const) {
    test(`the ${driver} driver refuses ${label} by name, with the key and the file`, (t) => {
      const reasons = lacking(driver, cfg);
      const verb = CAPABILITIES[driver].verb;
      t.true(
        reasons.some((r) => r.startsWith(`the ${driver} driver ${verb} ${label} (${where} in /s/z.zonlb.toml): `)),
        reasons.join('\n'),
      );
    });
  }
}

test('more than 64 backends in a group: the embedded program holds 64, nft spreads over any number', (t) => {
  const text =
    GROUP() + Array.from({ length: 65 }, (_, i) => BACKEND('["redirect"]', `1_${i}`, `10.2.0.${i + 2}`)).join('');
  t.deepEqual(lacking('embedded', config(text)), [
    'the embedded driver does not implement 65 backends in a group (netif.veth0.1 in /s/z.zonlb.toml): its program holds 64 backends a group (bpf/zonlb_consts.h MAX_BACKENDS)',
  ]);
  t.deepEqual(lacking('nft', config(text)), []);
});

test('what the subset drivers do as zon-lb does is not refused: redirect, tx, ipv4, src_ip=, nd.fill, clean, a group without backends', (t) => {
  const text = `[actions]\nclean = "None"\n[actions.nd]\nfill = true\n${GROUP()}${BACKEND('["TX", "redirect", "ipv4", "src_ip=10.2.0.1"]')}[netif.veth2.2]\nip = "10.0.0.1"\nproto = 17\nport = 23\n`;
  t.deepEqual(lacking('embedded', config(text)), []);
  t.deepEqual(lacking('nft', config(text)), []);
});

test('one reason per option, naming every backend that asks for it', (t) => {
  const cfg = config(
    `${GROUP()}${BACKEND('["redirect", "mac=02:00:00:00:00:02"]')}${BACKEND('["redirect", "MAC=02:00:00:00:00:03"]', '1_1', '10.2.0.3')}`,
  );
  t.deepEqual(lacking('embedded', cfg), [
    `the embedded driver does not implement mac= (backends 1_0, 1_1 in /s/z.zonlb.toml): ${(CAPABILITIES.embedded.table['mac='] as { why: string }).why}`,
  ]);
});

test('the examples zon-lb ships need nothing the subset drivers lack, but DSR', (t) => {
  for (const name of ['veth-netns', 'netns-veth-to-netns', 'ipv6-netns-to-netns', 'ip-fragmentation']) {
    const cfg = parseZonlbConfig(
      readFileSync(new URL(`../../../scenarios/${name}.zonlb.toml`, import.meta.url), 'utf8'),
      name,
    );
    t.deepEqual(lacking('embedded', cfg), [], name);
    t.deepEqual(lacking('nft', cfg), [], name);
  }
});

test("what preflight says a driver cannot serve holds its spec's table's answers; zon-lb and none refuse no option", (t) => {
  const seed = loadScenario('veth-netns');
  const s = { ...seed, lb: { ...seed.lb, config: withBackend('["redirect", "vlan=10"]') } };
  t.true(
    cannotServe(s, 'embedded').some((r) => r.startsWith('the embedded driver does not implement vlan= (backend 1_0')),
  );
  t.true(cannotServe(s, 'nft').some((r) => r.startsWith('the nft driver cannot do vlan= (backend 1_0')));
  for (const d of ['zon-lb', 'none'] as const) t.is(DRIVERS[d].capabilities, undefined);
});
