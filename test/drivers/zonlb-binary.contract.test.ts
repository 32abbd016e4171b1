// Contract test of the zon-lb driver against the zon-lb TEST DOUBLE (test/fixtures/zon-lb-double:
// zon-lb's CLI, formats and pins, balancing with zonlab's XDP program; zon-lb itself cannot be built
// here). It checks the exact commands the driver gives and how it reads zon-lb's answers.
import test from 'ava';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OBJECT } from '../../src/drivers/embedded/index.js';
import { resolveDriver } from '../../src/drivers/kinds.js';
import { binaryIdentity, zonlbBinaryDriver } from '../../src/drivers/zonlb-binary.js';
import { parseInfo } from '../../src/drivers/zonlb-programs.js';
import { parseStats } from '../../src/drivers/zonlb-stats.js';
import { rootSkipReason } from '../helpers/audit.js';
import { gated } from '../helpers/gated.js';

const double = fileURLToPath(new URL('../../../test/fixtures/zon-lb-double/zon-lb', import.meta.url));
const inner = fileURLToPath(new URL('./zonlb-binary-inner.js', import.meta.url));
const {
  skip: why,
  integration: live,
  title,
} = gated(rootSkipReason() ?? (existsSync(OBJECT) ? undefined : 'bpf/zonlb_xdp.o is not built (npm run setup)'));
const MAPS = [
  'ZLBX_CT_EPOCH',
  'ZLBX_GMETA',
  'ZLBX_PORT_SETS',
  'ZLB_ARP',
  'ZLB_BACKENDS',
  'ZLB_CONNTRACK4',
  'ZLB_CONNTRACK6',
  'ZLB_FIB4',
  'ZLB_FIB6',
  'ZLB_FRAG4',
  'ZLB_FRAG6',
  'ZLB_LB4',
  'ZLB_LB6',
  'ZLB_ND',
  'ZLB_TXPORT',
];

let r: any;
test.before(async () => {
  if (why) return;
  const run = await execa('unshare', ['--net', '--mount', '--propagation', 'private', '--', process.execPath, inner], {
    reject: false,
  });
  if (run.exitCode !== 0) throw new Error(`${run.stderr}\n${run.stdout}`);
  r = JSON.parse(run.stdout);
});

live(title('one interface: config FILE load, info, runvar before throughput, stats, then unload and teardown'), (t) => {
  t.deepEqual(r.one.calls, [
    ['config', r.one.file, 'load'],
    ['info'],
    ['runvar', 'veth0', 'set', 'log_filter=off'],
    ['stats', 'veth0'],
    ['stats', 'veth0'],
    ['prog', 'veth0', 'unload'],
    ['prog', 'veth0', 'teardown'],
  ]);
  t.deepEqual(r.one.loaded, { pins: [...MAPS, 'zlb_veth0'].sort(), xdp: true });
  t.deepEqual(
    r.one.after,
    { pins: [], xdp: false },
    'unpinning the link detached the program; the maps zon-lb leaves went too',
  );
});

live(title('identity: path and sha256 of the binary, and the version zon-lb keeps in its runvar'), (t) => {
  const sha = createHash('sha256').update(readFileSync(double)).digest('hex');
  t.is(r.one.identity, `zon-lb sha256:${sha} (${double})`);
  t.is(r.one.version, `zon-lb sha256:${sha} (${double}); info version: 1`);
});

live(title('proof counts and counters come from zon-lb stats, per interface'), (t) => {
  t.deepEqual(r.one.counts, { 1: { packets: 0, scope: 'interface veth0 (zon-lb stats)' } });
  t.is(r.one.counters['veth0.packets'], 0);
  t.is(Object.keys(r.one.counters).length, 26, "every counter of zon-lb's STATS_NAMES");
});

live(title('two interfaces: prog IF unload for each, teardown once'), (t) => {
  t.deepEqual(r.two.calls, [
    ['prog', 'veth0', 'unload'],
    ['prog', 'veth2', 'unload'],
    ['prog', 'veth0', 'teardown'],
  ]);
  t.deepEqual(r.two.after, []);
});

live(title('another zon-lb on the machine keeps its link and the shared maps'), (t) => {
  t.deepEqual(r.other.calls, [['prog', 'veth0', 'unload']], 'no teardown while another zon-lb link is pinned');
  t.deepEqual(r.other.after, [...MAPS, 'zlb_veth1'].sort());
  t.true(r.other.otherXdp);
});

live(title('a local backend gets no help zon-lb does not give: no route_localnet, no tc program'), (t) => {
  t.deepEqual(r.local, { routeLocalnet: '0', tc: '' });
});

live(
  title(
    "another namespace's zon-lb program on veth0's interface index, with a lower id, is the one zon-lb addresses: the load fails naming both programs",
  ),
  (t) => {
    t.regex(
      r.confused.error,
      new RegExp(
        `zon-lb addresses program ${r.confused.otherId} as the one on veth0 \\(interface index ${r.confused.index}\\), but the lab's veth0 carries program \\d+`,
      ),
    );
  },
);

live(title("an ERROR line on a zero exit fails the load with zon-lb's message, and nothing is left"), (t) => {
  t.regex(
    r.loadError.error,
    /zon-lb config .*zonlb\.toml load failed: \[.* ERROR zon_lb\] failure injected by ZONLB_DOUBLE_FAULT=load-error/,
  );
  t.deepEqual(r.loadError.after, []);
});

live(title('a load that attached nothing is a failure, though zon-lb printed no error'), (t) => {
  t.regex(
    r.loadSilent.error,
    /load attached nothing to veth0: zon-lb info lists no program there or \/sys\/fs\/bpf\/zlb_veth0 is missing \(zon-lb said: nothing\)/,
  );
  t.deepEqual(r.loadSilent.after, []);
});

live(title("a runvar that fails is a failure with zon-lb's message"), (t) => {
  t.regex(
    r.runvar.error,
    /zon-lb runvar veth2 set log_filter=off failed: \[.* ERROR zon_lb\] Can't find map ZLB_RUNVAR/,
  );
  t.deepEqual(r.runvarAfter, []);
});

live(title('an inline [lb.zonlb] table is written out as TOML for zon-lb and loads'), (t) => {
  t.like(r.inline.written, { netif: { veth0: { 1: { ip: '10.0.0.1', proto: 6, port: 23 } } } });
  t.true(r.inline.xdp);
});

live(title("after a --host crash the journal's undo removes the lab's pins and zon-lb's maps without zon-lb"), (t) => {
  // the intent, not a path into dist/: a journal written by one version is undone by the next
  t.deepEqual(r.crash.undo, [{ kind: 'zonlb-pins-teardown', bpffs: '/sys/fs/bpf', interfaces: ['veth0', 'veth2'] }]);
  t.deepEqual(r.crash.failures, []);
  t.deepEqual(r.crash.after, []);
  t.deepEqual(r.crash.xdp, [false, false]);
});

test("zon-lb's info and stats formats are read as zon-lb prints them", (t) => {
  const info =
    '\r\n----------------------\r\nLoaded zon-lb programs\r\n----------------------\n\r\nprogram_id: 7\ntag: 1a2b\nloaded_at: 10:00:00 01-01-2026\nifname: veth0\npin: /sys/fs/bpf/zlb_veth0\nversion: 1\nlog_filter: ERROR\nlink_id: 3\n';
  t.deepEqual(parseInfo(`${info}${info.replace('veth0', 'veth2').replace('version: 1', 'version: 2')}`), [
    { programId: 7, ifname: 'veth0', version: '1' },
    { programId: 7, ifname: 'veth2', version: '2' },
  ]);
  t.deepEqual(
    parseStats(
      '\r\nveth0 stats counters \n---------------------\npackets: 12          \nxdp_tx: 3            \n---------------------\n',
    ),
    { packets: 12, xdp_tx: 3 },
  );
});

test('a binary that cannot be read is named, not hashed', (t) => {
  t.is(binaryIdentity('/nonexistent/zon-lb'), 'zon-lb at /nonexistent/zon-lb (unreadable: ENOENT)');
});

test('a missing binary is a reason that says what to do', async (t) => {
  const reasons = await zonlbBinaryDriver({ path: '/nonexistent/zon-lb' }).missing(undefined);
  t.regex(
    reasons[0]!,
    /zon-lb not found at \/nonexistent\/zon-lb: give --zonlb PATH or set ZONLB, or use --lb embedded or --lb nft/,
  );
});

test('auto picks zon-lb when a binary is found', async (t) => {
  t.is((await resolveDriver('auto', { zonlbPath: double })).name, 'zon-lb');
  t.is((await resolveDriver('auto', { env: { PATH: path.dirname(double) } })).name, 'zon-lb');
});
