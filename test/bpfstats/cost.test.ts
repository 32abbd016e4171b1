import test from 'ava';
import { COST_MEASUREMENT, describeProgram, RUNS_MEASUREMENT, windowCost } from '../../src/bpfstats/cost.js';
import { lbAttachments, parseTcAttachments, parseXdpAttachments } from '../../src/bpfstats/discover.js';
import {
  encodeProgInfo,
  parseProgInfo,
  PROG_INFO_OFFSETS,
  PROG_INFO_SIZE,
  type ProgInfo,
} from '../../src/bpfstats/prog-info.js';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findOnPath } from '../../src/host-facts.js';
import { loadScenario } from '../../src/scenario/load.js';

const info: ProgInfo = {
  type: 6,
  id: 398,
  name: 'zonlb_xdp',
  tag: 'efaf51fed59d5907',
  jitedBytes: 9048,
  xlatedInsns: 1957,
  verifiedInsns: 11971,
  runTimeNs: 147260480n,
  runCnt: 889756n,
};

test('bpf_prog_info: the fields at their offsets, the name cut at its NUL', (t) => {
  const buf = encodeProgInfo(info);
  t.is(buf.length, PROG_INFO_SIZE);
  t.is(buf.readUInt32LE(4), 398, 'id right after type');
  t.is(buf.readBigUInt64LE(200), 889756n, 'run_cnt at 200, as offsetof() says on Debian 12');
  t.deepEqual(parseProgInfo(buf), info);
  t.throws(() => parseProgInfo(Buffer.alloc(100)), { message: /need 232/ });
});

/**
 * The offsets are checked against the struct as the kernel and the uapi header lay it out, not
 * against the table itself (issue 24: a round trip through the table proves nothing of it).
 */
const FIELD: Record<keyof typeof PROG_INFO_OFFSETS, string> = {
  type: 'type',
  id: 'id',
  tag: 'tag',
  jitedLen: 'jited_prog_len',
  xlatedLen: 'xlated_prog_len',
  name: 'name',
  runTimeNs: 'run_time_ns',
  runCnt: 'run_cnt',
  verifiedInsns: 'verified_insns',
};

/** struct bpf_prog_info as `bpftool btf dump … format raw` prints it: its size and each member's byte offset. */
function btfStruct(raw: string, name: string): { size: number; offsets: Record<string, number> } | undefined {
  const lines = raw.split('\n');
  const at = lines.findIndex((l) => new RegExp(`^\\[\\d+\\] STRUCT '${name}' size=(\\d+)`).test(l));
  if (at < 0) return undefined;
  const size = Number(/size=(\d+)/.exec(lines[at]!)![1]);
  const offsets: Record<string, number> = {};
  for (const l of lines.slice(at + 1)) {
    const m = /^\s+'(\w+)' type_id=\d+ bits_offset=(\d+)/.exec(l);
    if (!m) break;
    offsets[m[1]!] = Number(m[2]) / 8;
  }
  return { size, offsets };
}

const vmlinux = '/sys/kernel/btf/vmlinux';
const btfSkip = !existsSync(vmlinux)
  ? 'no kernel BTF (/sys/kernel/btf/vmlinux)'
  : !findOnPath('bpftool')
    ? 'needs bpftool'
    : undefined;
(btfSkip ? test.skip : test)(
  `bpf_prog_info: every offset zonlab reads is where the running kernel's BTF puts it${btfSkip ? ` [skipped: ${btfSkip}]` : ''}`,
  (t) => {
    const raw = execFileSync('bpftool', ['btf', 'dump', 'file', vmlinux, 'format', 'raw'], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const s = btfStruct(raw, 'bpf_prog_info')!;
    t.truthy(s, 'the kernel describes struct bpf_prog_info');
    t.true(s.size >= PROG_INFO_SIZE, `the kernel's struct (${s.size} bytes) holds the ${PROG_INFO_SIZE} zonlab passes`);
    for (const [field, off] of Object.entries(PROG_INFO_OFFSETS))
      t.is(s.offsets[FIELD[field as keyof typeof FIELD]], off, field);
  },
);

const cc = findOnPath('clang') ?? findOnPath('cc');
const headerSkip = !existsSync('/usr/include/linux/bpf.h')
  ? 'no /usr/include/linux/bpf.h (linux-libc-dev)'
  : !cc
    ? 'needs a C compiler'
    : undefined;
(headerSkip ? test.skip : test)(
  `bpf_prog_info: every offset and the size are offsetof()/sizeof() of the uapi header${headerSkip ? ` [skipped: ${headerSkip}]` : ''}`,
  (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-offsetof-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const fields = Object.values(FIELD);
    writeFileSync(
      path.join(dir, 'o.c'),
      `#include <stdio.h>\n#include <stddef.h>\n#include <linux/bpf.h>\nint main(void) {\n  printf("size %zu\\n", sizeof(struct bpf_prog_info));\n${fields.map((f) => `  printf("${f} %zu\\n", offsetof(struct bpf_prog_info, ${f}));`).join('\n')}\n  return 0;\n}\n`,
    );
    execFileSync(cc!, ['-o', path.join(dir, 'o'), path.join(dir, 'o.c')]);
    const said = Object.fromEntries(
      execFileSync(path.join(dir, 'o'), { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((l) => l.split(' '))
        .map(([k, v]) => [k!, Number(v)]),
    );
    t.is(said.size, PROG_INFO_SIZE);
    for (const [field, off] of Object.entries(PROG_INFO_OFFSETS))
      t.is(said[FIELD[field as keyof typeof FIELD]], off, field);
  },
);

test('a window: differences of the counters, ns per run over all programs', (t) => {
  const before = new Map([
    [1, { runs: 1000n, runTimeNs: 100_000n }],
    [2, { runs: 10n, runTimeNs: 5000n }],
  ]);
  const after = new Map([
    [1, { runs: 3000n, runTimeNs: 400_000n }],
    [2, { runs: 1010n, runTimeNs: 105_000n }],
  ]);
  const w = windowCost(before, after);
  t.deepEqual(w.programs, { 1: { runs: 2000, runTimeNs: 300_000 }, 2: { runs: 1000, runTimeNs: 100_000 } });
  t.is(w.measurements[COST_MEASUREMENT], 400_000 / 3000);
  t.is(w.measurements[RUNS_MEASUREMENT], 3000);
  t.deepEqual(windowCost(before, before).measurements, {}, 'no packet: no figure (not 0 ns, not NaN)');
});

// `ip -j link show` as iproute2 6.1 prints it: one program native, one generic, and one with both
const links = JSON.stringify([
  { ifindex: 1, ifname: 'lo' },
  {
    ifindex: 2,
    ifname: 'veth1',
    xdp: {
      mode: 1,
      prog: { id: 213, name: 'zonlb_xdp', tag: 'efaf51fed59d5907', jited: 1 },
      attached: [{ mode: 1, prog: { id: 213, name: 'zonlb_xdp' } }],
    },
  },
  { ifindex: 3, ifname: 'veth9', xdp: { mode: 2, prog: { id: 218, name: 'xdp_pass' } } },
  {
    ifindex: 4,
    ifname: 'veth8',
    xdp: {
      mode: 4,
      attached: [
        { mode: 1, prog: { id: 301, name: 'a' } },
        { mode: 2, prog: { id: 302, name: 'b' } },
      ],
    },
  },
]);

test('ip -j link: every attached program, with its interface and namespace', (t) => {
  t.deepEqual(parseXdpAttachments(links, 'zone1'), [
    { iface: 'veth1', netns: 'zone1', id: 213, name: 'zonlb_xdp' },
    { iface: 'veth9', netns: 'zone1', id: 218, name: 'xdp_pass' },
    { iface: 'veth8', netns: 'zone1', id: 301, name: 'a' },
    { iface: 'veth8', netns: 'zone1', id: 302, name: 'b' },
  ]);
  t.deepEqual(parseXdpAttachments(''), []);
});

test("the load balancer's programs: the scenario's helpers left out, unless the load balancer replaced them", (t) => {
  const s = loadScenario('veth-netns'); // veth1@zone1 carries the xdp_pass helper (below kernel 6.0)
  const names = (p: string) => (p === 'xdp_pass' ? ['xdp_pass'] : []);
  const all = [
    { iface: 'veth0', id: 1, name: 'zonlb_xdp' },
    { iface: 'veth1', netns: 'zone1', id: 2, name: 'xdp_pass' },
    { iface: 'eth0', id: 3, name: 'someone_elses' },
  ];
  t.deepEqual(
    lbAttachments(all, s, names).map((a) => a.id),
    [1],
    "the helper and the machine's own eth0 are not the load balancer's",
  );
  const replaced = [{ iface: 'veth1', netns: 'zone1', id: 1, name: 'zonlb_xdp' }];
  t.deepEqual(
    lbAttachments(replaced, s, names).map((a) => a.id),
    [1],
  );
});

test('a program described by its identity and where it is attached', (t) => {
  t.is(
    describeProgram({ ...info, interfaces: ['veth0@default', 'veth1@zone1'] }),
    'zonlb_xdp id 398 tag efaf51fed59d5907, 9048 B jited, 1957 insns on veth0@default, veth1@zone1',
  );
});

test("tc's bpf filters (the embedded driver's programs when every backend is local) as `tc -j filter show` prints them", (t) => {
  // veth-netns with the embedded driver, tc 6.1: the first entry is the filter's head, without a program
  const ingress =
    '[{"protocol":"all","pref":1,"kind":"bpf","chain":0},{"protocol":"all","pref":1,"kind":"bpf","chain":0,"options":{"handle":"0x1","bpf_name":"zonlb_tc_in:[10151]","direct-action":true,"not_in_hw":true,"prog":{"id":10151,"name":"zonlb_tc_in","tag":"0fe2eee2d1ac15e5","jited":1}}}]';
  t.deepEqual(parseTcAttachments(ingress, 'veth0'), [
    { iface: 'veth0', netns: undefined, id: 10151, name: 'zonlb_tc_in' },
  ]);
  t.deepEqual(parseTcAttachments('', 'veth0'), []);
  t.deepEqual(parseTcAttachments('[{"protocol":"ip","pref":1,"kind":"u32","chain":0}]', 'veth0'), []);
});
