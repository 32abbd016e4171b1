// The zon-lb driver end to end with real traffic, against the zon-lb TEST DOUBLE
// (test/fixtures/zon-lb-double: zon-lb's CLI, formats and pins, balancing with zonlab's XDP
// program from the same zonlb.toml), each run under the leak audit.
import type { ExecutionContext } from 'ava';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CAPABILITIES } from '../../src/drivers/capabilities.js';
import { OBJECT } from '../../src/drivers/embedded/index.js';
import { rootSkipReason, snapshot } from '../helpers/audit.js';
import { gated } from '../helpers/gated.js';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const double = fileURLToPath(new URL('../../../test/fixtures/zon-lb-double/zon-lb', import.meta.url));
const zonlbOnly = fileURLToPath(new URL('../../../test/fixtures/scenarios/zonlb-only.toml', import.meta.url));
const zonlab = (...args: string[]) => execa(process.execPath, [cli, ...args], { reject: false, env: { NO_COLOR: '1' } });
const { integration: live, title } = gated(rootSkipReason() ?? (existsSync(OBJECT) ? undefined : 'bpf/zonlb_xdp.o is not built (npm run setup)'));
const sha = createHash('sha256').update(readFileSync(double)).digest('hex');

/** The runs through the double: each check proven by zon-lb's own stats on the scenario's links. */
const THROUGH_DOUBLE: { scenario: string; proof: RegExp; more?: (t: ExecutionContext, doc: Record<string, any>) => void }[] = [
  {
    scenario: 'netns-veth-to-netns',
    proof: /load balancer counted gid \d+ interface veth[02] \(zon-lb stats\): the interface's figure, not the group's: \+[1-9]/,
    more: (t, doc) => {
      t.deepEqual(doc.checks.map((c: { name: string; status: string }) => [c.name, c.status]).sort(), ['iperf', 'iperf3', 'iperf3-p16', 'nc-udp', 'ping', 'telnet'].map((n) => [n, 'passed']));
      t.is(doc.driver.version, `zon-lb sha256:${sha} (${double}); info version: 1`);
      t.true(doc.counters['veth0.packets'] > 0 && doc.counters['veth2.packets'] > 0, 'zon-lb stats counted the balanced and the tracked packets on both links');
    },
  },
  // the README example: the backend on the load balancer's own loopback, its replies translated on the way out
  { scenario: 'veth-netns', proof: /load balancer counted gid \d+ interface veth0 \(zon-lb stats\): the interface's figure, not the group's: \+[1-9]/ },
];

for (const c of THROUGH_DOUBLE) {
  live(title(`${c.scenario} runs end to end through the zon-lb test double with real traffic, and leaves nothing behind`), async (t) => {
    const before = snapshot();
    const r = await zonlab('run', c.scenario, '--lb', 'zon-lb', '--zonlb', double, '--json', '--set', 'duration=1');
    t.is(r.exitCode, 0, `${r.stderr}\n${r.stdout.slice(0, 4000)}`);
    const doc = JSON.parse(r.stdout);
    t.is(doc.status, 'passed');
    for (const check of doc.checks) t.regex(check.summary, c.proof, `${check.name}: proof from zon-lb stats`);
    c.more?.(t, doc);
    t.deepEqual(snapshot(), before);
  });
}

const REFUSED = ['group option "Disable"', 'no_nat', 'no_ct', 'no_conntrack', 'disable', 'redirect=', 'mac=', 'if_mac=', 'vlan=', 'if=', 'ip=', 'ipmask=', 'port=', 'log_filter=', 'replace', 'alt_addr='];

live(title('what only zon-lb accepts loads and balances through the zon-lb driver (the double); embedded and nft refuse each option by name, exit 4'), async (t) => {
  const before = snapshot();
  const r = await zonlab('run', zonlbOnly, '--lb', 'zon-lb', '--zonlb', double, '--json');
  t.is(r.exitCode, 0, `${r.stderr}\n${r.stdout.slice(0, 4000)}`);
  t.is(JSON.parse(r.stdout).status, 'passed', 'stdout is the JSON document alone: the warnings went to stderr');
  t.regex(r.stderr, /zonlab: warning: .*zonlb-only\.zonlb\.toml: netif\.veth0\.2: this group has no backend/);
  t.regex(r.stderr, /zonlab: warning: .*zonlb-only\.zonlb\.toml: backend\.1_0\.weight: zon-lb ignores this key/);
  for (const lb of ['embedded', 'nft'] as const) {
    const refused = await zonlab('run', zonlbOnly, '--lb', lb);
    t.is(refused.exitCode, 4, refused.stderr);
    for (const name of REFUSED) t.true(refused.stderr.includes(`the ${lb} driver ${CAPABILITIES[lb].verb} ${name} (`), `${lb} names ${name}: ${refused.stderr}`);
    t.regex(refused.stderr, /zonlb-only\.zonlb\.toml\): /);
  }
  t.deepEqual(snapshot(), before);
});
