import test from 'ava';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stepCommands } from '../../lab/step-commands.js';
import { cannotServe, driverNeeds, type DriverName } from '../../src/drivers/kinds.js';
import { reachFrom } from '../../src/drivers/needs/reach.js';
import { examplesDir, topologiesDir } from '../../src/paths.js';
import { planScenario } from '../../src/plan/plan.js';
import { describeStep, type Step } from '../../lab/steps.js';
import { listScenarioFiles, loadScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/scenarios/', import.meta.url));
const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const bare = loadScenario(path.join(fixtures, 'bare-two-netns.toml'));
const facts = { kernel: '6.18.44', bpfDir: '/b' };

/** The steps a driver brings: the ones between the topology and the load. */
function needSteps(s: Scenario, driver: DriverName): Step[] {
  return planScenario(s, { ...facts, driver }).filter(
    (st) => (st.kind === 'sysctl' && st.need) || st.kind === 'neighbour',
  );
}
const described = (s: Scenario, driver: DriverName) =>
  needSteps(s, driver).map((st) => describeStep(st).replace(/ — for .*/, ''));

/** The scenario with its sysctls left out (the topology alone), or its backends moved. */
const withoutSysctls = (s: Scenario): Scenario => ({ ...s, sysctls: [] });
function withBackendsAt(s: Scenario, ip: string): Scenario {
  const config = s.lb.config!;
  return {
    ...s,
    lb: {
      ...s.lb,
      config: {
        ...config,
        services: config.services.map((x) => ({ ...x, backends: x.backends.map((b) => ({ ...b, ip })) })),
      },
    },
  };
}

test("the bare two-namespace topology: embedded brings accept_local and the backend's neighbour, zon-lb the neighbour, nft nothing more", (t) => {
  t.deepEqual(described(bare, 'embedded'), [
    'sysctl net.ipv4.conf.veth0.accept_local=1 in default',
    'sysctl net.ipv4.conf.veth2.accept_local=1 in default',
    "neighbour 10.2.0.2 on veth2@default at veth3@zone2's MAC",
  ]);
  t.deepEqual(described(bare, 'zon-lb'), ["neighbour 10.2.0.2 on veth2@default at veth3@zone2's MAC"]);
  t.deepEqual(described(bare, 'nft'), []);
  t.deepEqual(described(bare, 'none'), []);
});

test('what a driver needs is planned last, just before the load, and says which driver needs it and why', (t) => {
  const steps = planScenario(bare, { ...facts, driver: 'embedded' });
  const first = steps.findIndex((st) => st.kind === 'sysctl' && st.need);
  t.true(steps.slice(0, first).every((st) => !('need' in st)));
  t.deepEqual(
    steps.slice(first).map((st) => st.kind),
    ['sysctl', 'sysctl', 'neighbour', 'lb-load'],
  );
  t.regex(
    describeStep(steps[first + 2]!),
    / — for embedded: next hop of backends 1_0, 2_0, 3_0: without it bpf_fib_lookup finds no neighbour/,
  );
});

test("without the scenario's forwarding sysctls, each driver brings the forwarding it needs", (t) => {
  const s = withoutSysctls(bare);
  t.deepEqual(described(s, 'embedded'), [
    'sysctl net.ipv4.conf.veth0.forwarding=1 in default',
    'sysctl net.ipv4.conf.veth2.forwarding=1 in default',
    'sysctl net.ipv4.conf.veth0.accept_local=1 in default',
    'sysctl net.ipv4.conf.veth2.accept_local=1 in default',
    "neighbour 10.2.0.2 on veth2@default at veth3@zone2's MAC",
  ]);
  // requests arrive on veth0, their replies on veth2: the kernel forwards each only with forwarding on there
  t.deepEqual(described(s, 'nft'), [
    'sysctl net.ipv4.conf.veth0.forwarding=1 in default',
    'sysctl net.ipv4.conf.veth2.forwarding=1 in default',
  ]);
  t.deepEqual(described(s, 'zon-lb'), [
    'sysctl net.ipv4.conf.veth0.forwarding=1 in default',
    'sysctl net.ipv4.conf.veth2.forwarding=1 in default',
    "neighbour 10.2.0.2 on veth2@default at veth3@zone2's MAC",
  ]);
});

test('IPv6: nft turns all.forwarding on and restores what it was; the XDP drivers need only the neighbour', (t) => {
  const v6 = loadScenario('ipv6-netns-to-netns');
  const [all] = needSteps(v6, 'nft');
  t.is(all?.kind === 'sysctl' && all.key, 'net.ipv6.conf.all.forwarding');
  const cmds = stepCommands(all!);
  t.deepEqual(cmds.save, { argv: ['sysctl', '-n', 'net.ipv6.conf.all.forwarding'], netns: undefined });
  t.deepEqual(cmds.undo('0\n'), [{ argv: ['sysctl', '-q', '-w', 'net.ipv6.conf.all.forwarding=0'], netns: undefined }]);
  t.deepEqual(described(v6, 'embedded'), ["neighbour 2001:db8::2:2 on veth2@default at veth3@zone2's MAC"]);
});

test("per-interface sysctls and neighbour entries on the lab's links go with them: no undo of their own", (t) => {
  for (const st of needSteps(withoutSysctls(bare), 'embedded'))
    t.deepEqual(stepCommands(st).undo('0\n'), [], describeStep(st));
});

test("the neighbour step reads the peer's MAC when it runs; off a lab link it would be deleted at teardown", (t) => {
  const step = needSteps(bare, 'embedded').find((st) => st.kind === 'neighbour')!;
  const cmds = stepCommands(step);
  t.deepEqual(cmds.save, { argv: ['ip', '-n', 'zone2', '-j', 'link', 'show', 'dev', 'veth3'] });
  t.deepEqual(cmds.run[0]!.argv, [
    'ip',
    'neigh',
    'replace',
    '10.2.0.2',
    'lladdr',
    '<MAC of veth3>',
    'dev',
    'veth2',
    'nud',
    'permanent',
  ]);
  t.deepEqual(cmds.runWith!('[{"ifindex":2,"ifname":"veth3","address":"16:7a:0b:42:9e:01"}]\n')[0]!.argv, [
    'ip',
    'neigh',
    'replace',
    '10.2.0.2',
    'lladdr',
    '16:7a:0b:42:9e:01',
    'dev',
    'veth2',
    'nud',
    'permanent',
  ]);
  t.throws(() => cmds.runWith!('[]'), { message: /no Ethernet address for veth3/ });
  t.deepEqual(cmds.undo(undefined), []);
  t.deepEqual(stepCommands({ ...step, goesWithLab: false } as Step).undo(undefined), [
    { argv: ['ip', 'neigh', 'delete', '10.2.0.2', 'dev', 'veth2'] },
  ]);
});

test('a loopback backend needs no neighbour; route_localnet goes to each interface the driver serves', (t) => {
  const seed = loadScenario('veth-netns');
  t.deepEqual(described(seed, 'embedded'), ['sysctl net.ipv4.conf.veth0.route_localnet=1 in default']);
  t.deepEqual(described(seed, 'nft'), ['sysctl net.ipv4.conf.veth0.route_localnet=1 in default']);
  t.deepEqual(described(seed, 'zon-lb'), []);
});

test("a backend behind a gateway: the neighbour resolved is the gateway's", (t) => {
  const s = withBackendsAt(
    {
      ...bare,
      routes: [
        ...bare.routes,
        { netns: undefined, to: { address: '10.9.0.0', prefix: 24, family: 4 }, family: 4, via: '10.2.0.2' },
      ],
    },
    '10.9.0.5',
  );
  t.deepEqual(reachFrom(s, undefined, '10.9.0.5'), {
    kind: 'link',
    dev: 'veth2',
    nextHop: '10.2.0.2',
    peer: { netns: 'zone2', dev: 'veth3' },
  });
  t.deepEqual(
    described(s, 'embedded').filter((d) => d.startsWith('neighbour')),
    ["neighbour 10.2.0.2 on veth2@default at veth3@zone2's MAC"],
  );
  t.deepEqual(cannotServe(s, 'embedded'), []);
});

test('a backend the load balancer cannot reach is named, with why, before anything is built', (t) => {
  const nowhere = withBackendsAt(bare, '10.9.9.9');
  for (const driver of ['embedded', 'nft', 'zon-lb'] as const) {
    t.deepEqual(cannotServe(nowhere, driver), [
      `the ${driver} driver cannot reach backends 1_0, 2_0, 3_0 (10.9.9.9) from the load balancer's namespace: no interface there has an address in its subnet and no [[route]] covers it`,
    ]);
  }
  t.deepEqual(cannotServe(withBackendsAt(bare, '10.2.0.77'), 'embedded'), [
    "the embedded driver cannot reach backends 1_0, 2_0, 3_0 (10.2.0.77) from the load balancer's namespace: its next hop 10.2.0.77 is on veth2's link, but no interface in zone2 has that address",
  ]);
  t.deepEqual(cannotServe(nowhere, 'none'), []);
  // nothing is planned for a backend it cannot reach
  t.false(planScenario(nowhere, { ...facts, driver: 'embedded' }).some((st) => st.kind === 'neighbour'));
});

test('every shipped scenario: each driver can serve its topology', (t) => {
  // zonlb-only's alt_addr (without dsr_l3) is an address zon-lb keeps but never sends to
  for (const file of [...listScenarioFiles(examplesDir), path.join(fixtures, 'zonlb-only.toml')]) {
    const s = loadScenario(file);
    for (const driver of ['embedded', 'nft', 'zon-lb'] as const)
      t.deepEqual(driverNeeds(driver, s).cannot, [], `${s.name} with ${driver}`);
  }
});

test('no shipped scenario or topology carries a sysctl for one driver', (t) => {
  const files = [examplesDir, topologiesDir].flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.toml'))
      .map((f) => path.join(d, f)),
  );
  t.true(files.length > 10);
  for (const file of files) t.notRegex(readFileSync(file, 'utf8'), /^drivers\s*=/m, file);
});

test("zonlab plan shows each driver's needs with their commands, and refuses a topology the driver cannot serve", async (t) => {
  const plan = (...args: string[]) =>
    execa(process.execPath, [cli, 'plan', ...args], { reject: false, env: { NO_COLOR: '1' } });
  const embedded = await plan(path.join(fixtures, 'bare-two-netns.toml'), '--lb', 'embedded');
  t.is(embedded.exitCode, 0, embedded.stderr);
  t.regex(
    embedded.stdout,
    /neighbour 10\.2\.0\.2 on veth2@default at veth3@zone2's MAC — for embedded: .*\n +ip neigh replace 10\.2\.0\.2 lladdr <MAC of veth3> dev veth2 nud permanent/,
  );
  const nft = await plan('veth-netns', '--lb', 'nft');
  t.regex(nft.stdout, /sysctl net\.ipv4\.conf\.veth0\.route_localnet=1 in default — for nft: DNAT to 127\.0\.0\.23/);
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-needs-'));
  try {
    const text = readFileSync(path.join(fixtures, 'bare-two-netns.toml'), 'utf8').replace(
      'config = "bare-two-netns.zonlb.toml"',
      'config = "far.zonlb.toml"',
    );
    writeFileSync(path.join(dir, 'far.toml'), text);
    writeFileSync(
      path.join(dir, 'far.zonlb.toml'),
      readFileSync(path.join(fixtures, 'bare-two-netns.zonlb.toml'), 'utf8').replaceAll('10.2.0.2', '10.9.9.9'),
    );
    const far = await plan(path.join(dir, 'far.toml'), '--lb', 'embedded');
    t.is(far.exitCode, 4);
    t.regex(far.stderr, /the embedded driver cannot reach backends 1_0, 2_0, 3_0 \(10\.9\.9\.9\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('zon-lb brings interface indexes of their own for the interfaces it attaches to, chosen before any link is made; the other drivers none', (t) => {
  const plan = planScenario(bare, { ...facts, driver: 'zon-lb' });
  t.deepEqual(plan[0], {
    kind: 'ifindex-reserve',
    interfaces: bare.lb.config!.interfaces,
    need: {
      driver: 'zon-lb',
      why: "it finds the program on an interface by its index across every namespace of the machine (another lab's or the host's program on the same index would be read and set as this one) and its devmap holds indexes below 256",
    },
  });
  t.regex(
    describeStep(plan[0]!),
    /^reserve interface indexes below 256 that no XDP link on the machine has for veth0, veth2 — for zon-lb: it finds the program/,
  );
  for (const driver of ['embedded', 'nft', 'none'] as const)
    t.false(
      planScenario(bare, { ...facts, driver }).some((s) => s.kind === 'ifindex-reserve'),
      driver,
    );
  // the links are made with the indexes the lab chose (lab.ts fills them in)
  const veth = {
    kind: 'veth-add' as const,
    a: { netns: undefined, name: 'veth0', index: 250 },
    b: { netns: 'zone1', name: 'veth1' },
  };
  t.deepEqual(stepCommands(veth).run[0]!.argv, [
    'ip',
    'link',
    'add',
    'veth0',
    'index',
    '250',
    'type',
    'veth',
    'peer',
    'name',
    'veth1',
    'netns',
    'zone1',
  ]);
  t.is(describeStep(veth), 'create veth veth0@default (index 250) ↔ veth1@zone1');
});
