import test, { type ExecutionContext } from 'ava';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Journal } from '../../lab/journal.js';
import { teardown } from '../../lab/teardown.js';
import { labGroups, parseSavedGroups, replacedGroups, type ZonlbGroup } from '../../lab/zonlb-groups.js';
import { zonlbBinaryDriver } from '../../src/drivers/zonlb-binary.js';
import { parseZonlbConfig } from '../../src/zonlb/config.js';

/** zon-lb's groups are shared by every zon-lb user of the machine's bpffs (issue 22): a --host lab replaces none it did not add, and removes its own. */

const SAVED = `[actions.nd]
fill = false

[netif.eth1.3]
ip = "10.9.9.9"
proto = 17
port = 53
options = []

[netif.veth0.4]
ip = "10.0.0.1"
proto = 6
port = 23
options = ["redirect"]

[backend.4_0]
ip = "10.2.0.2"
proto = 6
port = 223
options = []
`;

test('zon-lb config save: each group with its gid, interface and endpoint', (t) => {
  t.deepEqual(parseSavedGroups(SAVED), [
    { gid: 3, netif: 'eth1', ip: '10.9.9.9', proto: 17, port: 53 },
    { gid: 4, netif: 'veth0', ip: '10.0.0.1', proto: 6, port: 23 },
  ]);
});

const group = (gid: number, netif: string, ip: string, proto = 6, port = 23): ZonlbGroup => ({
  gid,
  netif,
  ip,
  proto,
  port,
});
const services = [
  { ip: '10.0.0.1', proto: 6, port: 23 },
  { ip: '2001:db8::1', proto: 17, port: 53 },
];

test('replaced: a group with a loaded VIP, protocol and port on any interface, or any group bound to a loaded interface', (t) => {
  const groups = [
    group(1, 'eth1', '10.0.0.1'), // the same service on another interface: Group::replace takes it
    group(2, 'eth1', '10.0.0.1', 17), // another protocol
    group(3, 'eth1', '10.0.0.1', 6, 24), // another port
    group(4, 'veth0', '10.7.7.7'), // bound to the lab's interface: Group::remove_all takes it
    group(5, 'eth2', '2001:db8:0::1', 17, 53), // the same address, written otherwise
  ];
  t.deepEqual(
    replacedGroups(groups, ['veth0'], services).map((g) => g.gid),
    [1, 4, 5],
  );
  t.deepEqual(
    replacedGroups(groups, ['veth0'], services, [group(4, 'veth0', '10.7.7.7')]).map((g) => g.gid),
    [1, 5],
    "the lab's own are its to replace",
  );
  t.deepEqual(
    labGroups(groups, ['veth0', 'eth2'], services).map((g) => g.gid),
    [5],
    "the lab's: its services on its interfaces",
  );
});

/**
 * A zon-lb whose maps are a JSON file: `config FILE load` adds the groups of FAKE_LOAD (as
 * ConfigWriter: gid = largest + 1) and pins a link per interface, `config FILE save` writes them as
 * zon-lb does, `group IF remove GID` removes one, `info` and `prog` as zon-lb prints and pins.
 */
const FAKE = `#!/usr/bin/env node
const fs = require('fs'), path = require('path');
const st = JSON.parse(fs.readFileSync(process.env.FAKE_STATE, 'utf8'));
const bpffs = process.env.FAKE_BPFFS;
const argv = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_SEEN, JSON.stringify(argv) + '\\n');
const pin = (n) => fs.writeFileSync(path.join(bpffs, n), '');
if (argv[0] === 'config' && argv[2] === 'load') {
  for (const g of JSON.parse(process.env.FAKE_LOAD)) {
    st.groups = st.groups.filter((o) => !(o.ip === g.ip && o.proto === g.proto && o.port === g.port) && o.netif !== g.netif);
    st.groups.push({ ...g, gid: Math.max(0, ...st.groups.map((o) => o.gid)) + 1 });
    pin('zlb_' + g.netif); pin('ZLB_LB4'); pin('ZLB_LB6');
  }
} else if (argv[0] === 'config' && argv[2] === 'save') {
  fs.writeFileSync(argv[1], '[actions.nd]\\nfill = false\\n' + st.groups.map((g) => '[netif.' + g.netif + '.' + g.gid + ']\\nip = "' + g.ip + '"\\nproto = ' + g.proto + '\\nport = ' + g.port + '\\noptions = []\\n').join(''));
} else if (argv[0] === 'group' && argv[2] === 'remove') {
  st.groups = st.groups.filter((g) => g.gid !== Number(argv[3]));
} else if (argv[0] === 'info') {
  for (const n of fs.readdirSync(bpffs).filter((n) => n.startsWith('zlb_'))) process.stdout.write('program_id: 10\\nifname: ' + n.slice(4) + '\\nversion: 1\\n');
} else if (argv[0] === 'prog' && argv[2] === 'unload') {
  fs.rmSync(path.join(bpffs, 'zlb_' + argv[1]), { force: true });
} else if (argv[0] === 'prog' && argv[2] === 'teardown') {
  for (const n of fs.readdirSync(bpffs).filter((n) => n.startsWith('ZLB'))) fs.rmSync(path.join(bpffs, n));
  st.groups = [];
}
fs.writeFileSync(process.env.FAKE_STATE, JSON.stringify(st));
`;

const CONFIG =
  '[netif.veth0.1]\nip = "10.0.0.1"\nproto = 6\nport = 23\n[backend.1_0]\nip = "10.2.0.2"\nport = 223\noptions = ["redirect"]\n';

/** (serial: the fake reads its files from the environment) The fake on its own bpffs folder, with zon-lb's maps holding GROUPS and another user's zon-lb link pinned (so the maps stay). */
function fakeZonlb(t: ExecutionContext, groups: ZonlbGroup[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-zonlb-groups-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(dir, 'zon-lb');
  const bpffs = path.join(dir, 'bpffs');
  writeFileSync(bin, FAKE.replace('#!/usr/bin/env node', `#!${process.execPath}`));
  chmodSync(bin, 0o755);
  mkdirSync(bpffs);
  writeFileSync(path.join(dir, 'state'), JSON.stringify({ groups }));
  const env = {
    FAKE_STATE: path.join(dir, 'state'),
    FAKE_BPFFS: bpffs,
    FAKE_SEEN: path.join(dir, 'seen'),
    FAKE_LOAD: JSON.stringify([{ netif: 'veth0', ip: '10.0.0.1', proto: 6, port: 23 }]),
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  t.teardown(() => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });
  return {
    dir,
    bpffs,
    driver: zonlbBinaryDriver({ path: bin, bpffs, readLink: async () => ({ ifindex: 250, programId: 10 }) }),
    groups: () => (JSON.parse(readFileSync(path.join(dir, 'state'), 'utf8')) as { groups: ZonlbGroup[] }).groups,
    calls: () =>
      existsSync(env.FAKE_SEEN)
        ? readFileSync(env.FAKE_SEEN, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as string[])
        : [],
    ctx: (host: boolean) => ({
      config: parseZonlbConfig(CONFIG, '/s/zonlb.toml'),
      runId: 'r1',
      workDir: dir,
      log: () => {},
      host,
    }),
  };
}

function withMaps(f: ReturnType<typeof fakeZonlb>, otherLink = true): void {
  for (const n of ['ZLB_LB4', 'ZLB_LB6', ...(otherLink ? ['zlb_eth1'] : [])]) writeFileSync(path.join(f.bpffs, n), '');
}

test.serial(
  "--host: a group of another zon-lb user with the lab's VIP, protocol and port is not replaced: the load is refused, naming it",
  async (t) => {
    const f = fakeZonlb(t, [group(7, 'eth1', '10.0.0.1')]);
    withMaps(f);
    const err = await t.throwsAsync(f.driver.load(f.ctx(true)));
    t.regex(
      err!.message,
      /zon-lb config load would replace group 7 \(10\.0\.0\.1 proto 6 port 23 on eth1\), which this lab did not add/,
    );
    t.false(
      f.calls().some((c) => c[0] === 'config' && c[2] === 'load'),
      'zon-lb never loaded',
    );
    t.deepEqual(f.groups(), [group(7, 'eth1', '10.0.0.1')]);
  },
);

test.serial(
  "--host: the lab's groups and backends leave zon-lb's shared maps at unload; another user's stay",
  async (t) => {
    const f = fakeZonlb(t, [group(3, 'eth1', '10.9.9.9', 17, 53)]);
    withMaps(f);
    const lb = await f.driver.load(f.ctx(true));
    t.deepEqual(
      f.groups().map((g) => g.gid),
      [3, 4],
    );
    await lb.unload();
    t.deepEqual(f.groups(), [group(3, 'eth1', '10.9.9.9', 17, 53)]);
    t.true(f.calls().some((c) => c.join(' ') === 'group lo remove 4'));
    t.false(
      f.calls().some((c) => c[2] === 'teardown'),
      'another zon-lb link keeps the maps',
    );
  },
);

test.serial(
  "--host with no other zon-lb on the machine: the maps, and the lab's groups with them, go with zon-lb's teardown",
  async (t) => {
    const f = fakeZonlb(t, []);
    withMaps(f, false);
    const lb = await f.driver.load(f.ctx(true));
    await lb.unload();
    t.deepEqual(f.groups(), []);
    t.deepEqual(
      f
        .calls()
        .filter((c) => c[0] !== 'info')
        .map((c) => c.slice(c[0] === 'config' ? 2 : 0).join(' ')),
      ['save', 'load', 'prog veth0 unload', 'prog veth0 teardown'],
      'read once, before the load',
    );
  },
);

test.serial(
  "--host, after a crash: the journal's intent removes the lab's groups (and not another user's)",
  async (t) => {
    const f = fakeZonlb(t, [group(3, 'eth1', '10.9.9.9', 17, 53)]);
    withMaps(f);
    const ctx = f.ctx(true);
    await f.driver.load(ctx);
    const undo = f.driver.crashUndo!(ctx);
    t.like(undo[1], {
      kind: 'zonlb-groups-remove',
      bpffs: f.bpffs,
      interfaces: ['veth0'],
      services: [{ ip: '10.0.0.1', proto: 6, port: 23 }],
    });
    const journal = Journal.create({ runId: 'crash', scenario: 'x' });
    journal.intent('load zon-lb', undo);
    const report = await teardown(journal);
    t.deepEqual(report.failures, []);
    t.deepEqual(f.groups(), [group(3, 'eth1', '10.9.9.9', 17, 53)]);
  },
);

test.serial(
  "a sandbox's bpffs is its own: no group is read or removed, and the crash undo is the pins' alone",
  async (t) => {
    const f = fakeZonlb(t, [group(7, 'eth1', '10.0.0.1')]);
    withMaps(f, false);
    const ctx = f.ctx(false);
    const lb = await f.driver.load(ctx);
    await lb.unload();
    t.false(f.calls().some((c) => c[0] === 'group' || c[2] === 'save'));
    t.deepEqual(
      f.driver.crashUndo!(ctx).map((u) => (u as { kind: string }).kind),
      ['zonlb-pins-teardown'],
    );
  },
);
