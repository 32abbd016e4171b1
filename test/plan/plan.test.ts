import test from 'ava';
import { planScenario, kernelBelow } from '../../src/plan/plan.js';
import { describeStep } from '../../lab/steps.js';
import { loadScenario } from '../../src/scenario/load.js';
import { stepCommands } from '../../lab/step-commands.js';

const seed = loadScenario('veth-netns');
const facts = { kernel: '6.18.44', driver: 'nft' as const, bpfDir: '/b' };

test('the seed plan reproduces the README setup, ordered so that each namespace batches', (t) => {
  const steps = planScenario(seed, facts);
  t.deepEqual(steps.map(describeStep), [
    'create namespace zone1',
    'create veth veth0@default ↔ veth1@zone1',
    'add 10.0.0.1/24 to veth0@default',
    'add 127.0.0.23/24 to lo@default',
    'bring veth0@default up',
    'bring lo@zone1 up',
    'add 10.0.0.2/24 to veth1@zone1',
    'bring veth1@zone1 up',
    'ethtool -K veth0@default tx off',
    'sysctl net.ipv4.conf.veth0.accept_local=1 in default',
    'sysctl net.ipv4.conf.veth0.route_localnet=1 in default — for nft: DNAT to 127.0.0.23 (backends 1_0, 2_0) arrives on veth0, where a 127/8 destination is a martian without it',
    'load the load balancer (nft) on veth0',
  ]);
});

test('commands are argument arrays built from the scenario', (t) => {
  const steps = planScenario(seed, facts);
  const veth = steps.find((s) => s.kind === 'veth-add')!;
  t.deepEqual(stepCommands(veth).run[0]!.argv, [
    'ip',
    'link',
    'add',
    'veth0',
    'type',
    'veth',
    'peer',
    'name',
    'veth1',
    'netns',
    'zone1',
  ]);
  const eth = steps.find((s) => s.kind === 'ethtool')!;
  t.deepEqual(stepCommands(eth).run[0], { argv: ['ethtool', '-K', 'veth0', 'tx', 'off'], netns: undefined });
});

test('only what outlives the lab gets an undo of its own', (t) => {
  const steps = planScenario(seed, facts);
  const undo = (i: number) => stepCommands(steps[i]!).undo('0\n');
  t.deepEqual(undo(0), [{ argv: ['ip', 'netns', 'delete', 'zone1'] }]);
  const lo = steps.findIndex((s) => s.kind === 'addr-add' && s.dev === 'lo');
  t.deepEqual(undo(lo), [{ argv: ['ip', 'address', 'delete', '127.0.0.23/24', 'dev', 'lo'] }]);
  const onVeth = steps.findIndex((s) => s.kind === 'addr-add' && s.dev === 'veth0');
  t.deepEqual(undo(onVeth), []);
  // conf.veth0 goes away with veth0: nothing to restore
  const sysctl = steps.findIndex((s) => s.kind === 'sysctl');
  t.deepEqual(undo(sysctl), []);
});

test('a sysctl of the default namespace itself is restored to its saved value', (t) => {
  const s = { ...seed, sysctls: [{ netns: undefined, key: 'net.ipv4.ip_forward', value: '1' }] };
  const step = planScenario(s, facts).find((x) => x.kind === 'sysctl')!;
  const cmds = stepCommands(step);
  t.deepEqual(cmds.save, { argv: ['sysctl', '-n', 'net.ipv4.ip_forward'], netns: undefined });
  t.deepEqual(cmds.undo('0\n'), [{ argv: ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=0'], netns: undefined }]);
});

test('a loopback backend: nft and the embedded driver bring route_localnet, zon-lb nothing', (t) => {
  const keys = (driver: 'nft' | 'embedded' | 'zon-lb' | 'none') =>
    planScenario(seed, { ...facts, driver })
      .filter((s) => s.kind === 'sysctl')
      .map((s) => (s as { key: string }).key);
  t.true(keys('nft').includes('net.ipv4.conf.veth0.route_localnet'));
  t.true(keys('embedded').includes('net.ipv4.conf.veth0.route_localnet'));
  t.false(keys('zon-lb').includes('net.ipv4.conf.veth0.route_localnet'));
  t.false(keys('none').includes('net.ipv4.conf.veth0.route_localnet'));
});

test('the dummy XDP program is planned only on old kernels', (t) => {
  t.false(planScenario(seed, facts).some((s) => s.kind === 'xdp-helper'));
  const old = planScenario(seed, { ...facts, kernel: '5.15.0-91-generic' }).find((s) => s.kind === 'xdp-helper');
  t.truthy(old);
  t.deepEqual(stepCommands(old!).run[0]!.argv, [
    'ip',
    '-n',
    'zone1',
    'link',
    'set',
    'dev',
    'veth1',
    'xdp',
    'obj',
    '/b/xdp_pass.o',
    'sec',
    'xdp',
  ]);
});

test('host runs mark what they create', (t) => {
  const steps = planScenario(seed, { ...facts, marker: 'zonlab:r1:veth-netns' });
  t.true(steps.some((s) => s.kind === 'netns-mark' && s.netns === 'zone1'));
  t.is(steps.filter((s) => s.kind === 'link-mark').length, 2);
});

test('planning is pure: the same input gives the same plan', (t) => {
  t.deepEqual(planScenario(seed, facts), planScenario(seed, facts));
});

test('kernelBelow', (t) => {
  t.true(kernelBelow('5.15.0-91-generic', '6.0'));
  t.false(kernelBelow('6.0.0', '6.0'));
  t.false(kernelBelow('6.18.44-fc', '6.0'));
  t.true(kernelBelow('6.1.0', '6.2'));
});
