// Contract test of the zon-lb driver against a FAKE zon-lb (test/fixtures/fake-zon-lb/zon-lb): the
// real binary cannot be built here. It checks the exact commands the driver gives and how it reads
// zon-lb's answers, not zon-lb itself.
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zonlbBinaryDriver } from '../../src/drivers/zonlb-binary.js';
import { resolveDriver } from '../../src/drivers/registry.js';
import { parseZonlbConfig } from '../../src/zonlb/config.js';

const fake = fileURLToPath(new URL('../../../test/fixtures/fake-zon-lb/zon-lb', import.meta.url));

function setup(config: string, error?: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-fake-zonlb-'));
  const file = path.join(dir, 'zonlb.toml');
  writeFileSync(file, config);
  const log = path.join(dir, 'argv.log');
  const bpffs = path.join(dir, 'bpffs');
  mkdirSync(bpffs);
  process.env.FAKE_ZONLB_LOG = log;
  if (error) process.env.FAKE_ZONLB_ERROR = error; else delete process.env.FAKE_ZONLB_ERROR;
  const workDir = path.join(dir, 'work');
  mkdirSync(workDir);
  const ctx = { config: parseZonlbConfig(config, file), runId: 'r1', workDir, log: () => {} };
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]) : []);
  return { ctx, calls, bpffs, workDir };
}

const ONE = '[netif.veth0.1]\nip = "10.0.0.1"\nproto = 6\nport = 23\n[backend.1_0]\nip = "127.0.0.23"\nport = 223\noptions = ["redirect"]\n';
const TWO = `${ONE}[netif.veth2.2]\nip = "10.0.0.1"\nproto = 1\n[backend.2_0]\nip = "10.2.0.2"\n`;

test.serial('one interface: config FILE load, info, log_filter off before throughput, teardown', async (t) => {
  const { ctx, calls, bpffs, workDir } = setup(ONE);
  writeFileSync(path.join(bpffs, 'zlb_TXPORT'), '');
  writeFileSync(path.join(bpffs, 'ZLB_FRAG'), '');
  writeFileSync(path.join(bpffs, 'someone_elses'), '');
  const driver = zonlbBinaryDriver({ path: fake, bpffs });
  const lb = await driver.load(ctx);
  await lb.beforeThroughput!();
  await lb.unload();
  const copy = path.join(workDir, 'zonlb.toml');
  t.deepEqual(calls(), [
    ['--version'],
    ['config', copy, 'load'],
    ['info'],
    ['runvar', 'veth0', 'set', 'log_filter=off'],
    ['prog', 'veth0', 'teardown'],
  ]);
  t.is(lb.version, 'zon-lb 0.0.0-fake');
  // zon-lb never removes its TXPORT and FRAG pins; the driver does, and nothing else
  t.false(existsSync(path.join(bpffs, 'zlb_TXPORT')));
  t.false(existsSync(path.join(bpffs, 'ZLB_FRAG')));
  t.true(existsSync(path.join(bpffs, 'someone_elses')));
});

test.serial('two interfaces: teardown for the first, unload for the others', async (t) => {
  const { ctx, calls, bpffs } = setup(TWO);
  const lb = await zonlbBinaryDriver({ path: fake, bpffs }).load(ctx);
  await lb.unload();
  t.deepEqual(calls().slice(-2), [['prog', 'veth0', 'teardown'], ['prog', 'veth2', 'unload']]);
});

test.serial('an ERROR line on a zero exit fails the load, names the line, and unloads what it may have attached', async (t) => {
  const { ctx, calls, bpffs } = setup(ONE, 'load');
  const err = await t.throwsAsync(zonlbBinaryDriver({ path: fake, bpffs }).load(ctx));
  t.regex(err!.message, /zon-lb config .* load failed: .* ERROR zon_lb\] fake failure of load/);
  t.deepEqual(calls().slice(-1), [['prog', 'veth0', 'teardown']]);
});

test.serial('a failing info after load is a failure too', async (t) => {
  const { ctx, bpffs } = setup(ONE, 'info');
  await t.throwsAsync(zonlbBinaryDriver({ path: fake, bpffs }).load(ctx), { message: /zon-lb info after load failed/ });
});

test.serial('crash recovery commands are known before load', (t) => {
  const { ctx } = setup(TWO);
  t.deepEqual(zonlbBinaryDriver({ path: fake }).crashUndo!(ctx).map((c) => c.argv.slice(1)), [['prog', 'veth0', 'teardown'], ['prog', 'veth2', 'unload']]);
});

test.serial('a missing binary is a reason that says what to do', async (t) => {
  const reasons = await zonlbBinaryDriver({ path: '/nonexistent/zon-lb' }).missing(undefined);
  t.regex(reasons[0]!, /zon-lb not found at \/nonexistent\/zon-lb: give --zonlb PATH or set ZONLB, or use --lb embedded or --lb nft/);
});

test.serial('auto picks zon-lb when a binary is found', async (t) => {
  const d = await resolveDriver('auto', { zonlbPath: fake });
  t.is(d.name, 'zon-lb');
  const onPath = await resolveDriver('auto', { env: { PATH: path.dirname(fake) } });
  t.is(onPath.name, 'zon-lb');
});
