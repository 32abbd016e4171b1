import type { ExecutionContext } from 'ava';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hostJournalFile } from '../../lab/state-files.js';
import { snapshot } from '../helpers/audit.js';
import { hostGated, rootGated } from '../helpers/gated.js';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const { integration, title } = rootGated();
const host = hostGated();
const zonlab = (...args: string[]) => execa('node', [cli, ...args], { reject: false, env: { NO_COLOR: '1' } });

/** `up --json`: the lab's id, by which this file names its own labs (another user's may be up beside them). */
async function upId(t: ExecutionContext, ...args: string[]): Promise<string> {
  const up = await zonlab('up', 'veth-netns', '--json', ...args);
  t.is(up.exitCode, 0, up.stderr);
  return (JSON.parse(up.stdout) as { id: string }).id;
}

/** The ids of the labs `status` lists. */
const statusIds = async () =>
  (JSON.parse((await zonlab('status', '--json')).stdout) as { labs: { id: string; command: string; mode: string }[] })
    .labs;

/** veth-netns up in the sandbox with `lb` while `body` runs, then down whatever happened; the machine as it was after. */
async function whileUp(
  t: ExecutionContext,
  lb: string,
  body: (exec: (netns: string, ...cmd: string[]) => ReturnType<typeof zonlab>, id: string) => Promise<void>,
): Promise<void> {
  const before = snapshot();
  const id = await upId(t, '--lb', lb);
  try {
    await body((netns, ...cmd) => zonlab('exec', 'veth-netns', netns, '--id', id, '--', ...cmd), id);
  } finally {
    const down = await zonlab('down', 'veth-netns', '--id', id);
    t.is(down.exitCode, 0, down.stderr);
  }
  t.deepEqual(snapshot(), before);
}

integration(title('run veth-netns --lb nft in the sandbox: README checks pass, nothing left behind'), async (t) => {
  const before = snapshot();
  const r = await zonlab('run', 'veth-netns', '--lb', 'nft', '--json', '--set', 'duration=2');
  t.is(r.exitCode, 0, `${r.stderr}\n${r.stdout.slice(0, 3000)}`);
  const doc = JSON.parse(r.stdout);
  t.is(doc.status, 'passed');
  t.deepEqual(
    doc.checks.map((c: { name: string; status: string }) => `${c.name}:${c.status}`),
    ['telnet:passed', 'nc:passed', 'nc-udp:passed', 'iperf:passed', 'iperf3:passed'],
  );
  t.true(doc.measurements.iperf3.bits_per_second > 1e8);
  t.true(doc.measurements.iperf.bits_per_second > 1e8);
  t.is(doc.checks[0].evidence.serverSawClientAs, '10.0.0.2');
  t.is(doc.driver.name, 'nft');
  t.true(doc.counters.gid_1_packets > 0, JSON.stringify(doc.counters));
  t.deepEqual(snapshot(), before);
});

integration(
  title(
    'run veth-netns with the default driver (embedded): README checks pass, counters recorded, nothing left behind',
  ),
  async (t) => {
    const before = snapshot();
    const r = await zonlab('run', 'veth-netns', '--json', '--set', 'duration=2');
    t.is(r.exitCode, 0, `${r.stderr}\n${r.stdout.slice(0, 3000)}`);
    const doc = JSON.parse(r.stdout);
    t.is(doc.driver.name, 'embedded');
    t.deepEqual(
      doc.checks.map((c: { name: string; status: string }) => `${c.name}:${c.status}`),
      ['telnet:passed', 'nc:passed', 'nc-udp:passed', 'iperf:passed', 'iperf3:passed'],
    );
    t.true(doc.counters.ct_inserts >= 4, JSON.stringify(doc.counters));
    t.true(doc.counters.ct_hits > 1000, JSON.stringify(doc.counters));
    // the service's own figures: requests through tc ingress, the local backend's replies through tc egress
    t.true(doc.counters.gid_1_requests > 1000 && doc.counters.gid_1_replies > 0, JSON.stringify(doc.counters));
    // every reply tc egress translated is some group's: gid 1 (TCP) and gid 2 (the UDP group, nc-udp)
    t.is(
      doc.counters.tc_replies,
      doc.counters.gid_1_replies + doc.counters.gid_2_replies,
      JSON.stringify(doc.counters),
    );
    t.deepEqual(snapshot(), before);
  },
);

integration(
  title(
    "the embedded driver attaches only to the zonlb.toml's interfaces: tc ingress and egress on veth0 for the local backend and no XDP, nothing in the client's namespace, whose TSO stays on",
  ),
  (t) =>
    whileUp(t, 'embedded', async (exec) => {
      const link = async (netns: string, dev: string) =>
        JSON.parse((await exec(netns, 'ip', '-j', '-d', 'link', 'show', 'dev', dev)).stdout)[0] as {
          xdp?: { mode: number };
        };
      t.is(
        (await link('default', 'veth0')).xdp,
        undefined,
        'every backend is local: no XDP, which on a veth would copy every packet',
      );
      t.is((await link('zone1', 'veth1')).xdp, undefined, "no program on the client's peer");
      t.regex((await exec('default', 'tc', 'filter', 'show', 'dev', 'veth0', 'egress')).stdout, /zonlb_tc_out/);
      t.regex((await exec('default', 'tc', 'filter', 'show', 'dev', 'veth0', 'ingress')).stdout, /zonlb_tc_in/);
      t.regex(
        (await exec('zone1', 'ethtool', '-k', 'veth1')).stdout,
        /tcp-segmentation-offload: on/,
        'native XDP on veth0 would have the veth driver turn it off',
      );
    }),
);

// embedded: its bpffs for pins, mounted and its directory made by the lab, goes too
for (const lb of ['nft', 'embedded']) {
  host.integration(
    host.title(`run veth-netns --host --lb ${lb}: the README literally in the default namespace, restored after`),
    async (t) => {
      const before = snapshot();
      const r = await zonlab('run', 'veth-netns', '--lb', lb, '--host', '--json', '--set', 'duration=1');
      t.is(r.exitCode, 0, `${r.stderr}\n${r.stdout.slice(0, 3000)}`);
      t.is(JSON.parse(r.stdout).status, 'passed');
      t.deepEqual(snapshot(), before);
    },
  );
}

integration(title('a run whose checks fail exits 1 and still tears down'), async (t) => {
  const before = snapshot();
  // no load balancer: nothing answers on the VIP's port 23
  const r = await zonlab('run', 'veth-netns', '--lb', 'none', '--json', '--set', 'duration=1');
  t.is(r.exitCode, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  t.is(doc.status, 'failed');
  t.true(doc.checks.every((c: { status: string }) => c.status === 'failed'));
  t.deepEqual(snapshot(), before);
});

integration(title('up, status, exec and down of a sandboxed lab'), async (t) => {
  let labId = '';
  await whileUp(t, 'nft', async (exec, id) => {
    labId = id;
    t.regex(
      (await zonlab('status')).stdout,
      new RegExp(`veth-netns\\s+sandbox\\s+up\\s+nft\\s+${id}\\s.*root.*zonlab up veth-netns --json --lb nft`),
    );
    const ex = await exec('zone1', 'ip', '-o', 'address', 'show', 'dev', 'veth1');
    t.regex(ex.stdout, /10\.0\.0\.2\/24/);
    // the lab is private: the machine's default namespace has no veth0
    t.notRegex(snapshot().links, /veth0/);
  });
  t.false(
    (await statusIds()).some((l) => l.id === labId),
    'gone from status',
  );
});

integration(
  title('two sandboxed up of one scenario both work; exec and down name each by its id; down without --id lists them'),
  async (t) => {
    const before = snapshot();
    const ids = [await upId(t, '--lb', 'nft'), await upId(t, '--lb', 'none')];
    try {
      t.not(ids[0], ids[1]);
      for (const id of ids)
        t.true(
          (await statusIds()).some((l) => l.id === id && l.command === 'up'),
          `${id} in status`,
        );
      // each lab is its own: a file written in one is not in the other
      t.is(
        (
          await zonlab(
            'exec',
            'veth-netns',
            'zone1',
            '--id',
            ids[0]!,
            '--',
            'ip',
            'link',
            'set',
            'dev',
            'veth1',
            'alias',
            `mine-${ids[0]}`,
          )
        ).exitCode,
        0,
      );
      for (const id of ids) {
        const alias = (
          await zonlab('exec', 'veth-netns', 'zone1', '--id', id, '--', 'ip', '-o', 'link', 'show', 'dev', 'veth1')
        ).stdout;
        if (id === ids[0]) t.regex(alias, new RegExp(`mine-${id}`));
        else t.notRegex(alias, /mine-/);
      }
      const ambiguous = await zonlab('down', 'veth-netns');
      t.is(ambiguous.exitCode, 2, ambiguous.stderr);
      t.regex(ambiguous.stderr, /say which with --id/);
      for (const id of ids) t.regex(ambiguous.stderr, new RegExp(id));
    } finally {
      for (const id of ids) {
        const down = await zonlab('down', 'veth-netns', '--id', id);
        t.is(down.exitCode, 0, down.stderr);
        t.regex(down.stdout, new RegExp(`sandbox of up ${id} stopped`));
      }
    }
    t.deepEqual(snapshot(), before);
  },
);

integration(
  title(
    "a run in progress survives another process's down of its scenario (and down --id without --force), and passes",
  ),
  async (t) => {
    const before = snapshot();
    // a lab of this test's own beside the run: down without --id then stops it (the only one up holds) or,
    // when another user has one up too, stops nothing and asks for --id; never the run, never another's lab alone
    const held = await upId(t, '--lb', 'none');
    const run = execa('node', [cli, 'run', 'veth-netns', '--lb', 'nft', '--set', 'duration=4'], {
      reject: false,
      env: { NO_COLOR: '1' },
    });
    let err = '';
    run.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const deadline = Date.now() + 30_000;
    while (!/check telnet/.test(err) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const mine = (await statusIds()).find(
      (l) => l.command === 'run' && (l as { owner?: { pid: number } }).owner?.pid === run.pid,
    );
    t.truthy(mine, "the run is listed with its owner's pid");
    const down = await zonlab('down', 'veth-netns');
    if (down.exitCode === 0)
      t.regex(
        down.stdout,
        new RegExp(`^veth-netns: sandbox of up ${held} stopped`),
        "the one lab up holds: this test's",
      );
    else t.regex(down.stderr, /labs of that name are up; say which with --id/);
    t.notRegex(down.stdout, new RegExp(mine!.id));
    const noForce = await zonlab('down', 'veth-netns', '--id', mine!.id);
    t.is(noForce.exitCode, 2);
    t.regex(noForce.stderr, new RegExp(`in use by run ${mine!.id} \\(user \\S+, pid ${run.pid}, in `));
    t.regex(noForce.stderr, /--force stops it/);
    const r = await run;
    t.is(r.exitCode, 0, err);
    t.regex(r.stdout, /veth-netns: PASSED/);
    t.notRegex(err, /SIGTERM/);
    if (down.exitCode !== 0) t.is((await zonlab('down', 'veth-netns', '--id', held)).exitCode, 0);
    t.deepEqual(snapshot(), before);
  },
);

integration(title('down --id --force stops a run in progress: it tears down and exits 143'), async (t) => {
  const before = snapshot();
  const run = execa('node', [cli, 'run', 'veth-netns', '--lb', 'nft', '--set', 'duration=30'], {
    reject: false,
    env: { NO_COLOR: '1' },
    forceKillAfterDelay: false,
  });
  let err = '';
  run.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const deadline = Date.now() + 30_000;
  while (!/check iperf/.test(err) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const mine = (await statusIds()).find(
    (l) => l.command === 'run' && (l as { owner?: { pid: number } }).owner?.pid === run.pid,
  );
  const down = await zonlab('down', 'veth-netns', '--id', mine!.id, '--force');
  t.is(down.exitCode, 0, down.stderr);
  t.regex(down.stdout, new RegExp(`sandbox of run ${mine!.id} stopped`));
  const r = await run;
  t.is(r.exitCode, 143, err);
  t.regex(err, /SIGTERM: stopping the checks and tearing down/);
  t.deepEqual(snapshot(), before);
});

host.integration(
  host.title('up --host, then gc finds it by its markers and journal and removes it; gc --id of another run leaves it'),
  async (t) => {
    await zonlab('gc'); // what earlier runs left first (the default namespace is this test's: hostGated), so that the audit below sees only this lab go
    const before = snapshot();
    const up = await zonlab('up', 'veth-netns', '--lb', 'nft', '--host');
    t.is(up.exitCode, 0, up.stderr);
    t.regex(snapshot().namespaces, /zone1/);
    const again = await zonlab('up', 'veth-netns', '--lb', 'nft', '--host');
    t.is(again.exitCode, 2, 'a second host lab of the same names is refused');
    const runId = JSON.parse(readFileSync(hostJournalFile('veth-netns'), 'utf8').split('\n')[0]!).runId as string;
    // a test's gc names its own runs: another user's lab left up is no garbage of its (issue 22)
    const others = await zonlab('gc', '--id', 'feedf00d');
    t.is(others.exitCode, 0, others.stderr);
    t.regex(others.stdout, /nothing left behind/);
    t.regex(snapshot().namespaces, /zone1/, 'the lab is still up');
    const gc = await zonlab('gc', '--id', runId);
    t.is(gc.exitCode, 0, gc.stderr);
    t.regex(gc.stdout, new RegExp(`removed host lab veth-netns of run ${runId}`));
    t.deepEqual(snapshot(), before);
  },
);

integration(title('SIGINT during a run tears down and exits 130'), async (t) => {
  const before = snapshot();
  const child = execa('node', [cli, 'run', 'veth-netns', '--lb', 'nft', '--set', 'duration=30'], {
    reject: false,
    env: { NO_COLOR: '1' },
  });
  // wait until the throughput check is under way
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const deadline = Date.now() + 30_000;
  while (!/check iperf/.test(err) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGINT');
  const r = await child;
  t.is(r.exitCode, 130, err);
  t.regex(err, /tearing down/);
  // the check the interrupt cut short is no pass and no sample
  t.regex(err, /FAIL iperf: interrupted/);
  t.deepEqual(snapshot(), before);
});
