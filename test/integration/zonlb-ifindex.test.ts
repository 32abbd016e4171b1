// Issue 22: zon-lb finds "the program on IF" by IF's index across every namespace of the machine,
// so the lab's zon-lb interfaces are made with indexes no XDP link on the machine has. Here another
// zon-lb user's programs (the test double's, in a namespace of their own) sit on the indexes a
// sandbox would give its first links (2, 3) and on the top ones the allocator takes first (255, 254).
import { execa, type ResultPromise } from 'execa';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { reservationDir } from '../../lab/state-files.js';
import { xdpLinks } from '../../lab/xdp-links.js';
import { OBJECT } from '../../src/drivers/embedded/index.js';
import { rootSkipReason, snapshot } from '../helpers/audit.js';
import { gated } from '../helpers/gated.js';
import { zonlabForTests } from '../helpers/zonlab-cli.js';

const double = fileURLToPath(new URL('../../../test/fixtures/zon-lb-double/zon-lb', import.meta.url));
const inner = fileURLToPath(new URL('./xdp-neighbour-inner.js', import.meta.url));
const { integration: live, title } = gated(
  rootSkipReason() ?? (existsSync(OBJECT) ? undefined : 'bpf/zonlb_xdp.o is not built (npm run setup)'),
);
const { zonlab } = zonlabForTests('zonlb-ifindex');
const TAKEN = [2, 3, 255, 254];

/** The double's programs on TAKEN (their ids), in a network and mount namespace of their own, until `release`. */
async function neighbour(): Promise<{ child: ResultPromise; programs: number[]; release(): Promise<void> }> {
  const child = execa(
    'unshare',
    ['--net', '--mount', '--propagation', 'private', '--', process.execPath, inner, double, ...TAKEN.map(String)],
    { reject: false, stdin: 'pipe' },
  );
  let out = '';
  const programs = await new Promise<number[]>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const ready = /^ready (.*)\n/m.exec(out);
      if (ready) resolve(JSON.parse(ready[1]!) as number[]);
    });
    void child.then((r) => reject(new Error(`the neighbour ended: ${r.stderr}`)));
  });
  return {
    child,
    programs,
    release: async () => {
      child.stdin!.end();
      await child;
    },
  };
}

const SCENARIO = 'netns-veth-to-netns';

/** This run's reservations left in the machine's directory. */
const reservationsOf = (runId: string) =>
  readdirSync(reservationDir()).filter(
    (f) => /^\d+$/.test(f) && readFileSync(path.join(reservationDir(), f), 'utf8').includes(`"${runId}"`),
  );

live(
  title(
    "beside another zon-lb user's programs, the lab's zon-lb interface gets an index no XDP link on the machine has, below 256, and the run's proof is its own program's",
  ),
  async (t) => {
    const before = snapshot();
    const other = await neighbour();
    try {
      // other labs on the machine (the suite runs zonlb-double beside this file) may have links on these indexes too
      const theirs = xdpLinks().filter((l) => other.programs.includes(l.progId));
      t.deepEqual(theirs.map((l) => l.ifindex).sort(), [...TAKEN].sort(), "the neighbour's XDP links are there");
      // netns-veth-to-netns: zon-lb on veth0 and veth2, each backend in a namespace of its own (zon-lb
      // serves no backend on its own host: veth-netns is not a zon-lb scenario)
      const up = await zonlab('up', SCENARIO, '--lb', 'zon-lb', '--zonlb', double);
      t.is(up.exitCode, 0, up.stderr);
      const id = new RegExp(`zonlab down ${SCENARIO} --id ([0-9a-f]+)`).exec(`${up.stdout}\n${up.stderr}`)?.[1];
      try {
        const indexes: number[] = [];
        for (const dev of ['veth0', 'veth2']) {
          const link = await zonlab(
            'exec',
            SCENARIO,
            'default',
            '--id',
            id ?? 'none',
            '--',
            'ip',
            '-j',
            'link',
            'show',
            'dev',
            dev,
          );
          const ifindex = (JSON.parse(link.stdout) as { ifindex: number }[])[0]!.ifindex;
          t.true(ifindex < 256 && !TAKEN.includes(ifindex), `${dev} has index ${ifindex}`);
          const onIt = xdpLinks().filter((l) => l.ifindex === ifindex);
          t.is(onIt.length, 1, `one XDP link on index ${ifindex}, the lab's: ${JSON.stringify(onIt)}`);
          indexes.push(ifindex);
        }
        t.deepEqual(reservationsOf(id!).sort(), indexes.map(String).sort(), "reserved for the lab's life");
      } finally {
        const down = await zonlab('down', SCENARIO, '--id', id ?? 'none');
        t.is(down.exitCode, 0, down.stderr);
      }
      t.deepEqual(reservationsOf(id!), [], 'released at teardown');
      // a run beside them: zon-lb's stats on the lab's indexes are the lab's programs', and prove each check
      const run = await zonlab('run', SCENARIO, '--lb', 'zon-lb', '--zonlb', double, '--json', '--set', 'duration=1');
      t.is(run.exitCode, 0, `${run.stderr}\n${run.stdout.slice(0, 3000)}`);
      for (const c of JSON.parse(run.stdout).checks as { name: string; summary: string }[])
        t.regex(c.summary, /interface veth[02] \(zon-lb stats\).*\+[1-9]/, c.name);
    } finally {
      await other.release();
    }
    t.deepEqual(snapshot(), before);
  },
);

live(
  title(
    'two zon-lb runs in concurrent sandboxes: each lab gets interface indexes of its own, and each run is proven by its own programs',
  ),
  async (t) => {
    const before = snapshot();
    // a fresh namespace numbers its links alike (veth0 would be 2 in both): zon-lb would read one run's
    // program for the other's, or the post-load check would fail the run naming both ids
    const runs = await Promise.all(
      [0, 1].map(() => zonlab('run', SCENARIO, '--lb', 'zon-lb', '--zonlb', double, '--json', '--set', 'duration=1')),
    );
    for (const run of runs) {
      t.is(run.exitCode, 0, `${run.stderr}\n${run.stdout.slice(0, 3000)}`);
      for (const c of JSON.parse(run.stdout).checks as { name: string; summary: string }[])
        t.regex(c.summary, /interface veth[02] \(zon-lb stats\).*\+[1-9]/, c.name);
    }
    t.deepEqual(snapshot(), before);
  },
);
