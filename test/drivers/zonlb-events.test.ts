// The zon-lb driver's [[event]]s (issue 23) with zon-lb's own commands, against a scripted zon-lb
// that answers as zon-lb's main.rs prints (its gids new on every `config load`, its stats from 0
// with every new program), and the parsing of what zon-lb prints.
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zonlbBinaryDriver } from '../../src/drivers/zonlb-binary.js';
import {
  addArgs,
  backendChange,
  indexOf,
  loadedGids,
  parseBackendList,
  textInForce,
} from '../../src/drivers/zonlb-events.js';
import { configAfter, initialConfig } from '../../src/events/schedule.js';
import type { EventSpec } from '../../src/scenario/types.js';
import { parseZonlbConfig } from '../../src/zonlb/config.js';
import { fakeZonlb } from '../helpers/fake-zonlb.js';

/** backend-change's TCP half: veth0's group 1 with backends 1_0, 1_1, 1_2, and a group on each backend's link. */
const TOML = readFileSync(
  fileURLToPath(new URL('../../../test/fixtures/scenarios/backend-replace.zonlb.toml', import.meta.url)),
  'utf8',
);
const IFACES = ['veth0', 'vb1', 'vb2', 'vb3'];
const full = parseZonlbConfig(TOML, '/s/backend-replace.zonlb.toml');
const veth0 = full.services.find((x) => x.netif === 'veth0')!;
const backend = (key: string) => veth0.backends.find((b) => b.key === key)!;
const keysIn = (text: string) =>
  parseZonlbConfig(text, '/s/x.toml')
    .services.find((x) => x.netif === 'veth0')!
    .backends.map((b) => b.key);

/** `backend 4 list` as zon-lb prints it (InfoTable), after 1_1 was removed: 1_2 took its index. */
const LIST = [
  'Backend group info:\r',
  'gid endpoint          netdev flags be_count ',
  '--------------------------------------------',
  '4   Tcp:[10.0.0.1]:80 veth0  4     2        ',
  '--------------------------------------------',
  'Backends list:\r',
  'id endpoint            flags src      alt ',
  '------------------------------------------',
  '0  Tcp:[10.1.1.2]:8080 T:R:4 10.1.1.1 n/a ',
  '1  Tcp:[10.1.3.2]:8080 T:R:4 10.1.3.1 n/a ',
  '------------------------------------------',
].join('\n');

test("config load's INFO records give each netif group's gid", (t) => {
  const out =
    '[2026-12-02T15:52:47Z INFO  zon_lb::config] Backend group Tcp:[10.0.0.1]:80 added for veth0 => id: 4 (config:1)\n[2026-12-02T15:52:47Z INFO  zon_lb::config] Backend group Udp:[10.0.0.1]:80 added for veth0 => id: 6 (config:2)';
  t.deepEqual(
    [...loadedGids(out)],
    [
      [1, 4],
      [2, 6],
    ],
  );
});

test("backend GID list: a backend's index by its address, port and src_ip, whatever its protocol prefix", (t) => {
  const listed = parseBackendList(LIST);
  t.deepEqual(listed, [
    { index: 0, endpoint: '[10.1.1.2]:8080', src: '10.1.1.1' },
    { index: 1, endpoint: '[10.1.3.2]:8080', src: '10.1.3.1' },
  ]);
  t.is(indexOf(listed, backend('1_2')), 1, "the last backend took the removed one's index");
  t.is(indexOf(listed, backend('1_1')), undefined);
  const v6 = parseBackendList('Backends list:\nid endpoint flags src alt\n--\n0  Tcp:[2001:db8:1::2]:8080 6 n/a n/a\n');
  const b = parseZonlbConfig(
    '[netif.veth0.1]\nip = "2001:db8::1"\nproto = 6\nport = 80\n[backend.1_0]\nip = "2001:DB8:1:0::2"\nproto = 6\nport = 8080\n',
    '/s/v6.toml',
  ).services[0]!.backends[0]!;
  t.is(indexOf(v6, b), 0, 'IPv6 compared as Rust prints it');
});

test('backend GID add: IP, tcp|udp PORT or proto NAME, then the options as written', (t) => {
  t.deepEqual(addArgs(backend('1_1')), ['10.1.2.2', 'tcp', '8080', 'tx', 'redirect', 'src_ip=10.1.2.1']);
  const icmp = parseZonlbConfig(
    '[netif.veth0.1]\nip = "10.0.0.1"\nproto = 1\n[backend.1_0]\nip = "10.1.1.2"\nproto = 1\n',
    '/s/i.toml',
  ).services[0]!.backends[0]!;
  t.deepEqual(addArgs(icmp), ['10.1.1.2', 'proto', 'icmp']);
});

test('the zonlb.toml in force: the file as written while every backend is in, without the tables of those out', (t) => {
  t.is(textInForce(full, full), TOML);
  const without = configAfter(full, full, {
    action: 'remove-backend',
    backend: '1_1',
    during: 'hold',
    at: 3,
  } as EventSpec);
  t.deepEqual(backendChange(full, without), { removed: [backend('1_1')], added: [] });
  const text = textInForce(full, without);
  t.deepEqual(keysIn(text), ['1_0', '1_2']);
  t.deepEqual(
    backendChange(without, full).added.map((b) => b.key),
    ['1_1'],
  );
});

/** A scripted zon-lb: its state in a file; a new program (config load, prog replace) counts from 0 and gets new gids. */
const FAKE = `const fs = require('fs');
const state = JSON.parse(fs.readFileSync(process.env.FAKE_STATE, 'utf8'));
const argv = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_STATE + '.calls', JSON.stringify(argv) + '\\n');
const before = JSON.stringify(state);
const info = (m) => process.stderr.write('[2026-12-02T10:00:00Z INFO  zon_lb] ' + m + '\\n');
if (argv[0] === 'config') { state.prog++; state.packets = 0; state.gid += 3; info('Backend group Tcp:[10.0.0.1]:80 added for veth0 => id: ' + state.gid + ' (config:1)'); info('Write summary: 1/1 groups'); }
if (argv[0] === 'prog' && argv[2] === 'replace') { state.prog++; state.packets = 0; info('Successfully replace the program on interface veth0'); }
if (argv[0] === 'info' && state.intruder) process.stdout.write('program_id: 1\\nifname: veth0\\nversion: 1\\n');
if (argv[0] === 'info') for (const i of ${JSON.stringify(IFACES)}) process.stdout.write('program_id: ' + state.prog + '\\nifname: ' + i + '\\nversion: 1\\n');
if (argv[0] === 'stats' && argv[1] === 'veth0') { state.packets += 100; process.stdout.write('veth0 stats counters\\n---\\npackets: ' + state.packets + '\\n---\\n'); }
if (argv[0] === 'backend' && argv[2] === 'list') process.stdout.write(${JSON.stringify(LIST)}.replace(/^4 /m, argv[1] + ' '));
if (argv[0] === 'backend' && argv[2] !== 'list') info('backend ' + argv[2]);
if (argv[0] === 'conntrack') info('[ct] remove ipv4 summary, count/errors: 3/0');
// written aside and renamed: the driver runs stats side by side, and a reader must never see a half-written file
if (JSON.stringify(state) !== before) { fs.writeFileSync(process.env.FAKE_STATE + '.new', JSON.stringify(state)); fs.renameSync(process.env.FAKE_STATE + '.new', process.env.FAKE_STATE); }
`;

test("each event with zon-lb's command, the gid of the last load and the index zon-lb lists; the stats carried over each new program", async (t) => {
  const { dir, bin } = fakeZonlb(t, FAKE);
  const stateFile = path.join(dir, 'state.json');
  writeFileSync(stateFile, JSON.stringify({ prog: 10, packets: 0, gid: 1 }));
  for (const i of IFACES) writeFileSync(path.join(dir, `zlb_${i}`), '');
  const saved = process.env.FAKE_STATE;
  process.env.FAKE_STATE = stateFile;
  t.teardown(() => {
    if (saved === undefined) delete process.env.FAKE_STATE;
    else process.env.FAKE_STATE = saved;
  });
  /** The commands given since the last call (those run side by side in the order they came). */
  const calls = (): string[][] => {
    const log = `${stateFile}.calls`;
    const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
    writeFileSync(log, '');
    return lines.map((l) => JSON.parse(l) as string[]);
  };
  const sorted = (c: string[][]) => [...c].sort((a, b) => a.join(' ').localeCompare(b.join(' ')));

  // 1_1 held back for an add-backend event: the file zon-lb loads has no [backend.1_1]
  const events = [{ action: 'add-backend', backend: '1_1', during: 'hold', at: 1 }] as EventSpec[];
  const driver = zonlbBinaryDriver({
    path: bin,
    bpffs: dir,
    readLink: async () => ({
      ifindex: 3,
      programId: (JSON.parse(readFileSync(stateFile, 'utf8')) as { prog: number }).prog,
    }),
  });
  const lb = await driver.load({ config: initialConfig(full, events), runId: 'x', workDir: dir, log: () => {} });
  const file = path.join(dir, 'zonlb.toml');
  t.deepEqual(keysIn(readFileSync(file, 'utf8')), ['1_0', '1_2']);
  t.deepEqual(calls(), [['config', file, 'load'], ['info']]);

  const before = (await lb.serviceCounts!())[1]!.packets;
  t.regex(await lb.apply!('add-backend', full), /^backend 1_1: .*backend add/);
  t.deepEqual(
    calls().filter((c) => c[0] !== 'stats'),
    [['backend', '4', 'add', '10.1.2.2', 'tcp', '8080', 'tx', 'redirect', 'src_ip=10.1.2.1']],
  );
  t.deepEqual(keysIn(readFileSync(file, 'utf8')), ['1_0', '1_1', '1_2'], 'the file follows');

  const without = configAfter(full, full, {
    action: 'remove-backend',
    backend: '1_2',
    during: 'hold',
    at: 2,
  } as EventSpec);
  t.regex(await lb.apply!('remove-backend', without), /^backend 1_2 \(gid 4 index 1\): /);
  t.deepEqual(calls(), [
    ['backend', '4', 'list'],
    ['backend', '4', 'remove', '1'],
  ]);

  t.regex(await lb.apply!('reload', without), /Write summary/);
  t.deepEqual(sorted(calls()), sorted([...IFACES.map((i) => ['stats', i]), ['config', file, 'load'], ['info']]));
  const afterReload = (await lb.serviceCounts!())[1]!.packets;
  t.true(
    afterReload > before,
    `the new program counts from 0, what the old one counted is carried: ${before} → ${afterReload}`,
  );

  // the next removal addresses the gid this load gave (7), not the first one's
  await lb.apply!(
    'remove-backend',
    configAfter(without, full, { action: 'remove-backend', backend: '1_0', during: 'hold', at: 4 } as EventSpec),
  );
  t.deepEqual(
    calls()
      .filter((c) => c[0] !== 'stats')
      .slice(0, 1),
    [['backend', '7', 'list']],
  );

  await lb.apply!('replace-program', without);
  t.deepEqual(
    sorted(calls()),
    sorted([...IFACES.map((i) => ['stats', i]), ...IFACES.map((i) => ['prog', i, 'replace']), ['info']]),
  );
  t.true((await lb.serviceCounts!())[1]!.packets > afterReload, 'carried over prog replace too');
  t.regex(await lb.apply!('flush-conntrack', without), /count\/errors: 3\/0/);
  t.true(driver.cannotApply!('remove-backend') === undefined && driver.cannotApply!('add-backend') === undefined);

  // another zon-lb's program, on an interface with veth0's index and a lower id, is what zon-lb addresses after the reload
  writeFileSync(stateFile, JSON.stringify({ ...JSON.parse(readFileSync(stateFile, 'utf8')), intruder: true }));
  const counted = (await lb.serviceCounts!())[1]!.packets;
  const err = await t.throwsAsync(lb.apply!('reload', without));
  t.regex(
    err!.message,
    /zon-lb addresses program 1 as the one on veth0 \(interface index 3\), but the lab's veth0 carries program \d+/,
  );
  t.true((await lb.serviceCounts!())[1]!.packets < counted, 'nothing carried over a renewal that failed');
});
