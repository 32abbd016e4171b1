// Run by zonlb-binary.contract.test.ts under `unshare --net --mount`: a bpffs of its own on
// /sys/fs/bpf and two veth pairs, then the zon-lb driver against the zon-lb test double, case by
// case; prints what happened as one JSON document for the test to judge.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parse } from 'smol-toml';
import { releaseIfindexes, reserveIfindexes } from '../../lab/ifindex-reservations.js';
import { Journal } from '../../lab/journal.js';
import { runCommand } from '../../lab/run-command.js';
import { teardown } from '../../lab/teardown.js';
import { xdpLinks } from '../../lab/xdp-links.js';
import { zonlbBinaryDriver } from '../../src/drivers/zonlb-binary.js';
import { parseZonlbConfig, zonlbConfigFromTable, type ZonlbConfig } from '../../src/zonlb/config.js';

const double = fileURLToPath(new URL('../../../test/fixtures/zon-lb-double/zon-lb', import.meta.url));
const BPFFS = '/sys/fs/bpf';
const ONE =
  '[netif.veth0.1]\nip = "10.0.0.1"\nproto = 6\nport = 23\n[backend.1_0]\nip = "10.2.0.2"\nport = 223\noptions = ["redirect", "src_ip=10.2.0.1"]\n';
const TWO = `${ONE}[netif.veth2.2]\nip = "10.0.0.1"\nproto = 1\n[backend.2_0]\nip = "10.2.0.2"\noptions = ["redirect"]\n`;

const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-double-'));
// also when a case throws: the suite counts a folder left in /tmp as a leak
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
const argvLog = path.join(dir, 'argv.log');
process.env.ZONLB_DOUBLE_LOG = argvLog;

await runCommand(['mount', '-t', 'bpf', 'bpf', BPFFS]);
// the double, as zon-lb, finds "the program on IF" by IF's index across the machine: the links it
// attaches to get indexes no other zon-lb user's link has, as a lab's do (a file beside this one
// running the double at the same time would have the same first indexes)
const runId = `contract-${process.pid}`;
const reserved = await reserveIfindexes({
  runId,
  interfaces: ['veth0', 'veth1', 'veth2', 'veth3'],
  linkIndexes: () => xdpLinks().map((l) => l.ifindex),
  inUse: () => [],
});
for (const [a, b] of [
  ['veth0', 'veth1'],
  ['veth2', 'veth3'],
]) {
  const index = (name: string) => ['index', String(reserved.indexes[name])];
  await runCommand(['ip', 'link', 'add', a!, ...index(a!), 'type', 'veth', 'peer', 'name', b!, ...index(b!)]);
  for (const i of [a!, b!]) await runCommand(['ip', 'link', 'set', i, 'up']);
}

const pins = () =>
  readdirSync(BPFFS)
    .filter((n) => /^(zlb_|ZLB)/.test(n))
    .sort();
const xdp = async (ifname: string) =>
  /prog\/xdp/.test((await runCommand(['ip', '-d', 'link', 'show', 'dev', ifname])).stdout);
const calls = () =>
  existsSync(argvLog)
    ? readFileSync(argvLog, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[])
    : [];
const clearCalls = () => writeFileSync(argvLog, '');
let n = 0;
const ctxOf = (config: ZonlbConfig) => {
  const workDir = path.join(dir, `work${n++}`);
  mkdirSync(workDir);
  return { config, runId: 'r1', workDir, log: () => {} };
};
const attempt = async <T>(f: () => Promise<T>) =>
  f().then(
    (value) => ({ value }),
    (err: Error) => ({ error: err.message }),
  );
const driver = zonlbBinaryDriver({ path: double });
const out: Record<string, unknown> = {};

// one interface: the commands, the pins, the proof counters, then everything gone
{
  clearCalls();
  const ctx = ctxOf(parseZonlbConfig(ONE, '/s/one.zonlb.toml'));
  const lb = await driver.load(ctx);
  const loaded = { pins: pins(), xdp: await xdp('veth0') };
  await lb.beforeThroughput!();
  const counts = await lb.serviceCounts!();
  const counters = await lb.counters!();
  await lb.unload();
  out.one = {
    version: lb.version,
    identity: await driver.version(),
    loaded,
    counts,
    counters,
    calls: calls(),
    file: path.join(ctx.workDir, 'zonlb.toml'),
    after: { pins: pins(), xdp: await xdp('veth0') },
  };
}

// two interfaces: unload for each, teardown once
{
  clearCalls();
  const lb = await driver.load(ctxOf(parseZonlbConfig(TWO, '/s/two.zonlb.toml')));
  await lb.unload();
  out.two = { calls: calls().slice(2), after: pins() };
}

// another zon-lb's link on the machine: its pin and the shared maps stay
{
  await runCommand([double, 'prog', 'veth1', 'load']);
  clearCalls();
  const lb = await driver.load(ctxOf(parseZonlbConfig(ONE, '/s/one.zonlb.toml')));
  await lb.unload();
  out.other = { calls: calls().slice(2), after: pins(), otherXdp: await xdp('veth1') };
  await runCommand([double, 'prog', 'veth1', 'teardown']);
  for (const p of pins()) await runCommand(['rm', '-f', path.join(BPFFS, p)]);
}

// a local backend: zon-lb sets no route_localnet and attaches no tc program, nor does the double
{
  const lb = await driver.load(
    ctxOf(
      parseZonlbConfig(
        '[netif.veth0.1]\nip = "10.0.0.1"\nproto = 6\nport = 23\n[backend.1_0]\nip = "127.0.0.23"\nport = 223\noptions = ["redirect"]\n',
        '/s/local.zonlb.toml',
      ),
    ),
  );
  out.local = {
    routeLocalnet: readFileSync('/proc/sys/net/ipv4/conf/veth0/route_localnet', 'utf8').trim(),
    tc: (await runCommand(['tc', 'filter', 'show', 'dev', 'veth0', 'egress'])).stdout.trim(),
  };
  await lb.unload();
}

// another namespace's zon-lb program (with a bpffs of its own) on an interface with veth0's index,
// loaded first (a lower id): zon-lb finds "the program on veth0" by index across namespaces, so the
// driver's check fails the load
{
  const index = JSON.parse((await runCommand(['ip', '-j', 'link', 'show', 'dev', 'veth0'])).stdout)[0]
    .ifindex as number;
  const script = `ip link add vb0 index ${index} type veth peer name vb1 && ip link set vb0 up && ip link set vb1 up && ${JSON.stringify(double)} prog vb0 load && echo loaded && exec sleep 120`;
  const other = execa(
    'unshare',
    ['--net', '--mount', '--propagation', 'private', '--', 'sh', '-c', `mount -t bpf bpf ${BPFFS} && ${script}`],
    { reject: false, stdin: 'ignore' },
  );
  await new Promise<void>((resolve) =>
    other.stdout!.on('data', (d: Buffer) => {
      if (String(d).includes('loaded')) resolve();
    }),
  );
  const otherId = Number(/program_id: (\d+)/.exec((await runCommand([double, 'info'])).stdout)?.[1]);
  out.confused = {
    otherId,
    index,
    ...(await attempt(() => driver.load(ctxOf(parseZonlbConfig(ONE, '/s/one.zonlb.toml'))))),
    stats: (await runCommand([double, 'stats', 'veth0'])).stdout,
  };
  other.kill();
  await other;
  await runCommand([double, 'prog', 'veth0', 'teardown']);
  for (const p of pins()) await runCommand(['rm', '-f', path.join(BPFFS, p)]);
}

// failures in zon-lb's words
{
  process.env.ZONLB_DOUBLE_FAULT = 'load-error';
  out.loadError = {
    ...(await attempt(() => driver.load(ctxOf(parseZonlbConfig(ONE, '/s/one.zonlb.toml'))))),
    after: pins(),
  };
  process.env.ZONLB_DOUBLE_FAULT = 'load-silent';
  out.loadSilent = {
    ...(await attempt(() => driver.load(ctxOf(parseZonlbConfig(ONE, '/s/one.zonlb.toml'))))),
    after: pins(),
  };
  delete process.env.ZONLB_DOUBLE_FAULT;
  const lb = await driver.load(ctxOf(parseZonlbConfig(TWO, '/s/two.zonlb.toml')));
  await runCommand([double, 'prog', 'veth2', 'unload']);
  out.runvar = await attempt(() => lb.beforeThroughput!());
  await lb.unload().catch(() => {});
  out.runvarAfter = pins();
}

// an inline [lb.zonlb] table: zon-lb gets it written out as TOML
{
  const table = parse(ONE) as Record<string, unknown>;
  const ctx = ctxOf(zonlbConfigFromTable(table, '/s/inline.toml [lb.zonlb]'));
  const lb = await driver.load(ctx);
  out.inline = { written: parse(readFileSync(path.join(ctx.workDir, 'zonlb.toml'), 'utf8')), xdp: await xdp('veth0') };
  await lb.unload();
}

// a --host crash: the journal's undo alone removes the lab's pins (and detaches) and the maps
{
  const ctx = ctxOf(parseZonlbConfig(TWO, '/s/two.zonlb.toml'));
  await driver.load(ctx);
  // as `zonlab down` would: the journalled intent, carried out by teardown
  const journal = Journal.create({ runId: 'crash', scenario: 'two' });
  journal.intent('load zon-lb', driver.crashUndo!(ctx));
  const report = await teardown(journal);
  out.crash = {
    undo: driver.crashUndo!(ctx),
    failures: report.failures,
    after: pins(),
    xdp: [await xdp('veth0'), await xdp('veth2')],
  };
}

releaseIfindexes(reserved.files, runId);
process.stdout.write(JSON.stringify(out));
