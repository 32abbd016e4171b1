import test from 'ava';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findOnPath } from '../../src/host-facts.js';
import { rootSkipReason } from '../helpers/audit.js';
import { gated } from '../helpers/gated.js';
import { CAPABILITIES, lacking } from '../../src/drivers/capabilities.js';
import { nftCounters, nftRuleset, nftTableName } from '../../src/drivers/nft.js';
import { parseZonlbConfig } from '../../src/zonlb/config.js';

// the scenarios' copies of zon-lb's example configs (../shared/reference/zon-lb-examples/); veth-netns adds a UDP group
const COPIES: Record<string, string> = {
  netns_veth_to_local: 'veth-netns',
  netns_veth_to_netns: 'netns-veth-to-netns',
  ipv6_netns_to_netns: 'ipv6-netns-to-netns',
  direct_server_return: 'dsr-l2',
};
const ref = (name: string) => {
  const file = new URL(`../../../scenarios/${COPIES[name]}.zonlb.toml`, import.meta.url);
  return parseZonlbConfig(readFileSync(file, 'utf8'), name);
};

/**
 * What the rules do, not what their text is (issue 24: a golden string copied from the
 * implementation proved nothing): the rulesets in a throwaway namespace's kernel, and TCP flows
 * through them from a client in a second namespace (nft-inner.ts).
 */
const inner = fileURLToPath(new URL('./nft-inner.js', import.meta.url));
const {
  skip: why,
  integration: live,
  title,
} = gated(
  rootSkipReason() ??
    (findOnPath('nft') ? (findOnPath('nc') ? undefined : 'needs nc (netcat-openbsd)') : 'needs nft (nftables)'),
);
let r: any;
test.before(async () => {
  if (why) return;
  const run = await execa('unshare', ['--net', '--', process.execPath, inner], { reject: false });
  if (run.exitCode !== 0) throw new Error(`${run.stderr}\n${run.stdout}`);
  r = JSON.parse(run.stdout);
});

live(title('the kernel accepts the ruleset of every shipped config the nft driver serves (nft -c)'), (t) => {
  t.deepEqual(r.checked, {
    'veth-netns': 'ok',
    'netns-veth-to-netns': 'ok',
    'ipv6-netns-to-netns': 'ok',
    'ip-fragmentation': 'ok',
    'vlan-netns-bridge': 'ok',
  });
});

live(
  title(
    "a flow to the VIP reaches the backend with the client's address, and its rule counts it; another port is not translated",
  ),
  (t) => {
    t.not(r.before, 0, 'the control: nothing serves port 23 without the rules');
    t.is(r.one.exit, 0);
    t.deepEqual(r.oneGot, ['one from 10.0.0.2']);
    t.not(r.one.other, 0, 'port 24 is not the service');
    t.true(r.one.counts[1].packets >= 1, JSON.stringify(r.one.counts));
  },
);

live(title('two backends: new flows are spread over both in turn'), (t) => {
  t.deepEqual(r.two.exits, [0, 0, 0, 0, 0, 0]);
  t.is(r.two.got223, 3);
  t.is(r.two.got224, 3);
});

live(title("a flow arriving on another interface than the config's netif is not translated"), (t) => {
  t.not(r.elsewhere, 0);
});

test('src_ip becomes SNAT of the translated flow; ICMP echo is translated too', (t) => {
  const text = nftRuleset(ref('netns_veth_to_netns'), 'zonlab_abc');
  t.regex(text, /iifname \{ "veth0", "veth2" \} ip daddr 10\.0\.0\.1 udp dport 23 counter dnat ip to 10\.2\.0\.2:223/);
  t.regex(text, /ct status dnat ip daddr 10\.2\.0\.2 tcp dport 223 counter snat ip to 10\.2\.0\.1/);
});

test("a group serves packets on every netif of the config, as zon-lb's shared group map does", (t) => {
  // the example puts its ICMP group on veth2 while clients ping the VIP through veth0
  const text = nftRuleset(ref('netns_veth_to_netns'), 'zonlab_abc');
  t.regex(
    text,
    /iifname \{ "veth0", "veth2" \} ip daddr 10\.0\.0\.1 icmp type echo-request counter dnat ip to 10\.2\.0\.2 comment "gid 3"/,
  );
});

test('IPv6 addresses are bracketed with their ports', (t) => {
  t.regex(
    nftRuleset(ref('ipv6_netns_to_netns'), 't'),
    /ip6 daddr 2001:db8::0:1 tcp dport 23 counter dnat ip6 to \[2001:db8::2:2\]:223/,
  );
});

test('several backends are spread by numgen and kept by conntrack', (t) => {
  const cfg = parseZonlbConfig(
    '[netif.veth0.1]\nip = "10.0.0.1"\nproto = 6\nport = 80\n[backend.1_0]\nip = "10.2.0.2"\nport = 8080\n[backend.1_1]\nip = "10.2.0.3"\nport = 8080\n',
    'x',
  );
  t.regex(
    nftRuleset(cfg, 't'),
    /dnat ip addr \. port to numgen inc mod 2 map \{ 0 : 10\.2\.0\.2 \. 8080, 1 : 10\.2\.0\.3 \. 8080 \}/,
  );
});

test('DSR and cross-family backends are reasons, grouped per option, naming the file', (t) => {
  const reasons = lacking('nft', CAPABILITIES.nft, ref('direct_server_return'));
  t.deepEqual(reasons, [
    'the nft driver cannot do dsr_l2 (backends 1_0, 2_0, 3_0, 4_0, 5_0, 6_0 in direct_server_return): NAT is not direct server return',
  ]);
});

test('table names and counters', (t) => {
  t.is(nftTableName('ab12cd34'), 'zonlab_ab12cd34');
  const json = JSON.stringify({
    nftables: [{ rule: { comment: 'gid 1', expr: [{ match: {} }, { counter: { packets: 7, bytes: 900 } }] } }],
  });
  t.deepEqual(nftCounters(json), { gid_1_packets: 7, gid_1_bytes: 900 });
});
