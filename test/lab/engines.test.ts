import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { rootGated } from '../helpers/gated.js';

/**
 * The netlink engine (lab/netlink/) against `ip -batch` (ZONLAB_ENGINE=ip): the same scenario must
 * leave the same links, flags, aliases, addresses (scope, prefix, nodad) and routes (scope,
 * protocol, gateway), namespace by namespace. Each run lives in a throwaway network and mount
 * namespace, so nothing of the machine's is touched.
 */
const inner = fileURLToPath(new URL('./engine-state-inner.js', import.meta.url));
const WRAP = [
  '--net',
  '--mount',
  '--propagation',
  'private',
  '--fork',
  '--kill-child',
  '--',
  'bash',
  '-c',
  'mount -t tmpfs t /run && mkdir /run/netns && mount -t sysfs s /sys && ip link set lo up && exec "$@"',
  'wrap',
];
const { integration, title } = rootGated();

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
  integration(title(`${scenario}: netlink and ip -batch build the same lab`), async (t) => {
    const viaIp = await stateWith('ip', scenario, sets);
    const viaNetlink = await stateWith('netlink', scenario, sets);
    t.true(viaIp.length > 1, 'the lab has namespaces');
    t.true(JSON.stringify(viaIp).includes('"local"'), 'and addresses');
    t.deepEqual(viaNetlink, viaIp);
  });
}

const errorsInner = fileURLToPath(new URL('./netlink-errors-inner.js', import.meta.url));
integration(title("netlink failures read as ip's and stop the batch where ip -batch stops"), async (t) => {
  const r = await execa('unshare', [...WRAP, process.execPath, errorsInner], { reject: false });
  t.is(r.exitCode, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  t.like(out.missingDevice, {
    done: 1,
    failure: {
      at: 1,
      result: { argv: ['ip', '-n', 'zt', 'link', 'set', 'dev', 'nope0', 'up'], stderr: 'Cannot find device "nope0"' },
    },
  });
  t.like(out.duplicateAddress, { done: 1, failure: { at: 1 } });
  t.regex(
    out.duplicateAddress.failure.result.stderr,
    /^(Error: ipv4: Address already assigned\.|RTNETLINK answers: File exists)$/,
    'as ip prints it',
  );
  t.is(JSON.parse(out.mtuAfterFailure)[0].mtu, 65536, 'nothing after the failing step ran');
  t.is(out.unreachableGateway.done, 0);
  t.regex(out.unreachableGateway.failure.result.stderr, /Nexthop has invalid gateway|Network is unreachable/);
  t.regex(out.missingNamespace.failure.result.stderr, /open \/run\/netns\/zt-none: No such file or directory/);
});
