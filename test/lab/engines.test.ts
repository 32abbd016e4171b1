import test from 'ava';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { rootSkipReason } from '../helpers/audit.js';

/**
 * The netlink engine (lab/netlink/) against `ip -batch` (ZONLAB_ENGINE=ip): the same scenario must
 * leave the same links, flags, aliases, addresses (scope, prefix, nodad) and routes (scope,
 * protocol, gateway), namespace by namespace. Each run lives in a throwaway network and mount
 * namespace, so nothing of the machine's is touched.
 */
const inner = fileURLToPath(new URL('./engine-state-inner.js', import.meta.url));
const WRAP = ['--net', '--mount', '--propagation', 'private', '--fork', '--kill-child', '--', 'bash', '-c', 'mount -t tmpfs t /run && mkdir /run/netns && mount -t sysfs s /sys && ip link set lo up && exec "$@"', 'wrap'];
const reason = rootSkipReason();

async function stateWith(engine: 'ip' | 'netlink', scenario: string, sets: string[]): Promise<unknown[]> {
  const r = await execa('unshare', [...WRAP, process.execPath, inner, scenario, ...sets], {
    reject: false,
    env: { ZONLAB_ENGINE: engine, ZONLAB_STATE: '/run/zonlab-test', ZONLAB_RESULTS: '/run/zonlab-test/results' },
  });
  if (r.exitCode !== 0) throw new Error(`${engine} ${scenario}: exit ${r.exitCode}\n${r.stderr}`);
  return JSON.parse(r.stdout) as unknown[];
}

const cases: [string, string[]][] = [
  ['veth-netns', []],
  ['netns-veth-to-netns', []],
  ['ipv6-netns-to-netns', []],
  ['ip-fragmentation', ['backend_mtu=1310']],
  ['many-clients', ['clients=5']],
];

for (const [scenario, sets] of cases) {
  if (reason) {
    test.skip(`${scenario}: netlink and ip -batch build the same lab [skipped: ${reason}]`, () => {});
    continue;
  }
  test.serial(`${scenario}: netlink and ip -batch build the same lab`, async (t) => {
    const viaIp = await stateWith('ip', scenario, sets);
    const viaNetlink = await stateWith('netlink', scenario, sets);
    t.true(viaIp.length > 1, 'the lab has namespaces');
    t.true(JSON.stringify(viaIp).includes('"local"'), 'and addresses');
    t.deepEqual(viaNetlink, viaIp);
  });
}
