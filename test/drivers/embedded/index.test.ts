import { networkInterfaces } from 'node:os';
import test from 'ava';
import { readFileSync } from 'node:fs';
import { gated } from '../../helpers/gated.js';
import { embeddedDriver, embeddedMissing } from '../../../src/drivers/embedded/index.js';
import {
  BACKEND_SIZE,
  LAYOUT,
  MAX_BACKENDS,
  serviceValue,
  sumPerCpu,
  withServicePorts,
} from '../../../src/drivers/embedded/maps.js';
import { parseZonlbConfig } from '../../../src/zonlb/config.js';
import { CAPABILITIES, lacking } from '../../../src/drivers/capabilities.js';

const scenarioConfig = (name: string) =>
  parseZonlbConfig(readFileSync(new URL(`../../../../scenarios/${name}.zonlb.toml`, import.meta.url), 'utf8'), name);
const withBackends = (n: number) =>
  parseZonlbConfig(
    [
      '[netif.veth0.1]\nip = "10.0.0.1"\nproto = 6\nport = 80',
      ...Array.from(
        { length: n },
        (_, i) => `[backend.1_${i}]\nip = "10.2.${i >> 8}.${(i & 255) + 1}"\nport = 8080\noptions = ["redirect"]`,
      ),
    ].join('\n'),
    'many.zonlb.toml',
  );
// what preflight asks of it: its own limits and its spec's table
const reasons = (config: ReturnType<typeof parseZonlbConfig>) =>
  [...embeddedMissing(config), ...lacking('embedded', CAPABILITIES.embedded, config)].filter(
    (r) => !r.includes('is not built'),
  );

test('L2 DSR is served; L3 DSR is refused by name, with its backends and file', (t) => {
  t.deepEqual(reasons(scenarioConfig('dsr-l2')), []);
  t.deepEqual(
    reasons(scenarioConfig('dsr-l3')).filter((r) => r.startsWith('the embedded driver does not implement dsr_l3 '))
      .length,
    1,
  );
  t.regex(
    reasons(scenarioConfig('dsr-l3')).join('\n'),
    /the embedded driver does not implement dsr_l3 \(backends? [0-9_, ]+ in dsr-l3\)/,
  );
});

test(`more backends in a group than the program holds (${MAX_BACKENDS}) is a reason naming the limit, never a silent cut`, (t) => {
  t.deepEqual(reasons(withBackends(MAX_BACKENDS)), []);
  t.deepEqual(reasons(withBackends(MAX_BACKENDS + 1)), [
    `the embedded driver does not implement ${MAX_BACKENDS + 1} backends in a group (netif.veth0.1 in many.zonlb.toml): its program holds ${MAX_BACKENDS} backends a group (bpf/zonlb_consts.h MAX_BACKENDS)`,
  ]);
  t.throws(() => serviceValue(withBackends(MAX_BACKENDS + 1).services[0]!, 0), { message: /holds 64/ });
});

test("the services map value: backend count, the service's slot for its counters, the DSR flag per backend", (t) => {
  const config = scenarioConfig('dsr-l2');
  const v = serviceValue(config.services[3]!, 3);
  t.is(v.readUInt32LE(0), 1);
  t.is(v.readUInt32LE(4), 3);
  t.is(v.readUInt8(8 + 35), 1, 'dsr_l2');
  t.is(serviceValue(scenarioConfig('veth-netns').services[0]!, 0).readUInt8(8 + 35), 0);
  t.is(BACKEND_SIZE, 36);
});

test("the services' ports added to the program's port set: a bit per TCP/UDP port, echoes left out, bits already there kept", (t) => {
  const set = Buffer.alloc(LAYOUT.port_set.size);
  set.writeBigUInt64LE(1n << 5n, 8 * 2); // port 133, set before
  const services = [
    { proto: 6, port: 80 },
    { proto: 17, port: 65535 },
    { proto: 1, port: 0 },
    { proto: 6, port: 0 },
  ];
  const bits = (b: Buffer) =>
    Array.from({ length: 65536 }, (_, p) => p).filter((p) => (b.readBigUInt64LE(8 * (p >> 6)) >> BigInt(p & 63)) & 1n);
  t.deepEqual(bits(withServicePorts(set, services)), [0, 80, 133, 65535]);
});

test('per-CPU values are summed field by field', (t) => {
  const v = Buffer.alloc(2 * 16);
  v.writeBigUInt64LE(3n, 0);
  v.writeBigUInt64LE(4n, 8);
  v.writeBigUInt64LE(5n, 16);
  v.writeBigUInt64LE(6n, 24);
  t.deepEqual(sumPerCpu(v, 2, 2), [8, 10]);
});

test("after a crash of a --host run: XDP off in both modes on the config's interfaces, and their clsact unless every backend is DSR; nothing elsewhere", (t) => {
  const undo = (name: string) =>
    embeddedDriver.crashUndo!({ config: scenarioConfig(name), runId: 'r', workDir: '/tmp', log: () => {} }).map((c) =>
      'argv' in c ? c.argv.join(' ') : c.kind,
    );
  t.deepEqual(undo('veth-netns'), [
    'ip link set dev veth0 xdp off',
    'ip link set dev veth0 xdpgeneric off',
    'tc qdisc del dev veth0 clsact',
  ]);
  // backends behind links: zonlb_tc_fwd where the links have one MTU
  t.deepEqual(undo('netns-veth-to-netns'), [
    ...['veth0', 'veth2'].flatMap((i) => [`ip link set dev ${i} xdp off`, `ip link set dev ${i} xdpgeneric off`]),
    'tc qdisc del dev veth0 clsact',
    'tc qdisc del dev veth2 clsact',
  ]);
  t.false(
    undo('dsr-l2').some((c) => c.includes('clsact')),
    'direct server return is XDP alone',
  );
});

// a backend on one of this host's own addresses (not loopback) gets the tc programs too
const ownAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === 'IPv4')?.address;
const own = gated(ownAddress ? undefined : 'this host has no non-loopback IPv4 address');
own.concurrent(
  own.title('after a crash: the clsact of a backend on an own, non-loopback address is removed as well'),
  (t) => {
    const config = parseZonlbConfig(
      `[netif.veth0.1]\nip = "10.0.0.1"\nproto = 6\nport = 23\n[backend.1_0]\nip = "${ownAddress}"\nport = 223\n`,
      'own',
    );
    const argv = embeddedDriver.crashUndo!({ config, runId: 'r', workDir: '/tmp', log: () => {} }).map((c) =>
      'argv' in c ? c.argv.join(' ') : c.kind,
    );
    t.true(argv.includes('tc qdisc del dev veth0 clsact'), argv.join('; '));
  },
);
