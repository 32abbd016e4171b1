import { execa } from 'execa';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSameProcess, processRef } from '../../lab/process-identity.js';
import { hostDir, hostJournalFile, labsDir, workDirOf, workRoot } from '../../lab/state-files.js';
import { snapshot } from '../helpers/audit.js';
import { hostGated } from '../helpers/gated.js';
import { cli, zonlabForTests } from '../helpers/zonlab-cli.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/scenarios/', import.meta.url));
const { env, zonlab } = zonlabForTests('host-labs');
// every test here owns the machine's default namespace (host labs, audited whole): hostGated waits or says why (issue 22)
const { integration: root, title } = hostGated();

/** Starts a zonlab command and resolves once its stderr shows `until`. */
async function startUntil(args: string[], until: RegExp, extraEnv: Record<string, string> = {}) {
  const child = execa(process.execPath, [cli, ...args], {
    reject: false,
    env: { ...env, ...extraEnv },
    forceKillAfterDelay: false,
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  for (let i = 0; i < 1000 && !until.test(err); i++) await new Promise((r) => setTimeout(r, 20));
  if (!until.test(err)) throw new Error(`never saw ${until}: ${err}`);
  return { child, stderr: () => err };
}

root(
  title('gc, down, up and status leave a live run --host alone; the run passes and leaves the machine as it was'),
  async (t) => {
    const before = snapshot();
    const { child: run } = await startUntil(
      ['run', 'veth-netns', '--host', '--lb', 'nft', '--set', 'duration=3'],
      /check telnet/,
    );
    const runId = JSON.parse(readFileSync(hostJournalFile('veth-netns'), 'utf8').split('\n')[0]!).runId as string;

    const gc = await zonlab('gc');
    t.is(gc.exitCode, 0, gc.stderr);
    t.regex(gc.stdout, /kept host lab veth-netns \(in use by run [0-9a-f]+ \(pid \d+/);
    t.notRegex(gc.stdout, /removed host lab/);
    t.true(existsSync(workDirOf(runId)), 'the live run keeps its work directory');

    const down = await zonlab('down', 'veth-netns', '--host');
    t.is(down.exitCode, 2, down.stderr);
    t.regex(down.stderr, /veth-netns is in use by run [0-9a-f]+ \(user \S+, pid \d+/);
    const up = await zonlab('up', 'veth-netns', '--host', '--lb', 'nft');
    t.is(up.exitCode, 2, up.stderr);
    t.regex(up.stderr, /veth-netns is in use by run/);

    const status = await zonlab('status');
    t.regex(status.stdout, new RegExp(`veth-netns\\s+host\\s+run\\s+nft\\s+${runId}.*running \\(pid \\d+\\)`));
    t.notRegex(status.stdout, /zonlab down|zonlab gc|killed/, 'a live run is never offered for removal');

    const r = await run;
    t.is(r.exitCode, 0, r.stderr);
    t.regex(r.stdout, /veth-netns: PASSED/);
    t.deepEqual(snapshot(), before);
  },
);

/** A veth pair made by hand, named in a damaged journal: what the journal names is still undone. */
const DAMAGED: [string, string, string[]][] = [
  [
    'without a header',
    '{"seq":1,"step":"create veth zlabdmg0","state":"done","undo":[{"argv":["ip","link","delete","dev","zlabdmg0"]}]}\n{"seq":1,"state":"undone"}\n{"seq":2,"step":"x","state":"intent","undo":[{"argv":["ip","link","delete","dev","zlabdmg0"]}]}\n',
    ['up', 'veth-netns', '--host', '--lb', 'nft'],
  ],
  [
    'with a torn header',
    '{"journal":"zonlab","runId":"12\n{"seq":1,"step":"create veth zlabdmg0","state":"done","undo":[{"argv":["ip","link","delete","dev","zlabdmg0"]}]}\n',
    ['gc'],
  ],
  ['of garbage', '\u0000garbage\n{"seq":"x"}\n', ['down', 'veth-netns', '--host']],
];

for (const [kind, text, args] of DAMAGED) {
  root(
    title(`a host journal ${kind} is set aside with a warning, what it names is undone, and zonlab ${args[0]} goes on`),
    async (t) => {
      const before = snapshot();
      await execa('ip', ['link', 'add', 'zlabdmg0', 'type', 'veth', 'peer', 'name', 'zlabdmg1']);
      mkdirSync(hostDir(), { recursive: true, mode: 0o700 });
      writeFileSync(hostJournalFile('veth-netns'), text, { mode: 0o600 });
      try {
        t.regex((await zonlab('status')).stdout, /veth-netns\s+host.*damaged journal/);
        const r = await zonlab(...args);
        t.is(r.exitCode, 0, r.stderr);
        t.regex(
          r.stderr,
          /veth-netns\.journal is not a zonlab journal \(.*\): set aside as veth-netns\.journal\.damaged-\S+; undoing what can be read of it/,
        );
        t.is(existsSync('/sys/class/net/zlabdmg0'), kind === 'of garbage', 'what it names is undone');
        if (args[0] === 'up') t.is((await zonlab('down', 'veth-netns', '--host')).exitCode, 0);
        const aside = readdirSync(hostDir()).filter((f) => f.startsWith('veth-netns.journal.damaged-'));
        t.is(aside.length, 1);
        t.is(
          readFileSync(path.join(hostDir(), aside[0]!), 'utf8'),
          text,
          'set aside as it was, for a person to look at',
        );
      } finally {
        for (const f of readdirSync(hostDir()).filter((n) => n.includes('.damaged-'))) rmSync(path.join(hostDir(), f));
        await execa('ip', ['link', 'delete', 'dev', 'zlabdmg0'], { reject: false });
      }
      t.deepEqual(snapshot(), before);
    },
  );
}

/** A process started by hand inside a lab namespace, as a person following the README would. */
function inNamespace(ns: string, cmd: string[]): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: 'ignore' });
}

async function untilCommand(p: ChildProcess, comm: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    try {
      if (readFileSync(`/proc/${p.pid}/comm`, 'utf8').trim() === comm) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

root(
  title(
    "down ends the processes left in a host lab's namespaces (SIGTERM, then SIGKILL), names them and finishes the teardown",
  ),
  async (t) => {
    const before = snapshot();
    const up = await zonlab('up', 'veth-netns', '--host', '--lb', 'nft');
    t.is(up.exitCode, 0, up.stderr);
    const server = inNamespace('zone1', ['iperf3', '-s', '-p', '5299']);
    // one that ignores SIGTERM (an ignored signal stays ignored across exec): only SIGKILL ends it
    const stubborn = inNamespace('zone1', ['sh', '-c', 'trap "" TERM; exec sleep 600']);
    const gone = [server, stubborn].map((p) => new Promise((r) => p.on('exit', r)));
    try {
      await untilCommand(server, 'iperf3');
      await untilCommand(stubborn, 'sleep');
      const down = await zonlab('down', 'veth-netns', '--host');
      t.is(down.exitCode, 0, down.stderr);
      t.regex(down.stdout, new RegExp(`ended iperf3 -s -p 5299 \\(pid ${server.pid}\\) in zone1`));
      t.regex(down.stdout, new RegExp(`ended sleep 600 \\(pid ${stubborn.pid}\\) in zone1`));
      t.regex(down.stdout, /host lab of run [0-9a-f]+ removed/);
      await Promise.all(gone);
      // no host lab left (another user's sandboxes may be up: issue 22)
      const status = JSON.parse((await zonlab('status', '--json')).stdout) as {
        labs: { mode: string }[];
        hostLabsWithoutEntry: unknown[];
      };
      t.deepEqual([status.labs.filter((l) => l.mode === 'host'), status.hostLabsWithoutEntry], [[], []]);
    } finally {
      server.kill('SIGKILL');
      stubborn.kill('SIGKILL');
      await zonlab('down', 'veth-netns', '--host');
    }
    t.deepEqual(snapshot(), before);
  },
);

root(
  title('down and gc never signal a process that took a pid zonlab recorded (a different start time)'),
  async (t) => {
    const before = snapshot();
    const unrelated = spawn('sleep', ['600'], { stdio: 'ignore' });
    const ref = processRef(unrelated.pid)!;
    const notIt = String(Number(ref.start) - 100);
    const fakeSandbox = () => {
      mkdirSync(labsDir(), { recursive: true, mode: 0o700 });
      writeFileSync(
        path.join(labsDir(), 'feedf00d.json'),
        JSON.stringify({
          scenario: 'veth-netns',
          runId: 'feedf00d',
          mode: 'sandbox',
          command: 'up',
          started: new Date().toISOString(),
          driver: 'nft',
          holderPid: ref.pid,
          holderStart: notIt,
          unsharePid: ref.pid,
          unshareStart: notIt,
          namespaces: ['zone1'],
        }),
      );
    };
    try {
      fakeSandbox();
      // by its id: without one, down would take the one lab up holds, maybe another user's (issue 22)
      const down = await zonlab('down', 'veth-netns', '--id', 'feedf00d');
      t.is(down.exitCode, 2, down.stderr);
      t.regex(down.stderr, /veth-netns has no lab with id feedf00d/);
      fakeSandbox();
      t.is((await zonlab('gc')).exitCode, 0);
      // a host journal whose pid now names another process is a killed run's, not a live one
      mkdirSync(hostDir(), { recursive: true, mode: 0o700 });
      writeFileSync(
        hostJournalFile('veth-netns'),
        `${JSON.stringify({ journal: 'zonlab', runId: 'feedf00e', scenario: 'veth-netns', pid: ref.pid, pidStart: notIt, started: new Date().toISOString() })}\n`,
      );
      t.regex((await zonlab('status')).stdout, /veth-netns\s+host.*was killed/);
      const gc = await zonlab('gc');
      t.is(gc.exitCode, 0, gc.stderr);
      t.regex(gc.stdout, /removed host lab veth-netns of run feedf00e/);
      t.true(isSameProcess(ref), 'the unrelated process was never signalled');
    } finally {
      unrelated.kill('SIGKILL');
      rmSync(path.join(labsDir(), 'feedf00d.json'), { force: true });
      rmSync(hostJournalFile('veth-netns'), { force: true });
    }
    t.deepEqual(snapshot(), before);
  },
);

root(
  title("no run leaves a work directory (passed, failed, interrupted, kept, killed) and gc reclaims a dead run's"),
  async (t) => {
    const before = snapshot();
    const same = (what: string) => t.deepEqual(snapshot().state, before.state, what);
    t.is((await zonlab('run', 'veth-netns', '--lb', 'nft', '--set', 'duration=1')).exitCode, 0);
    same('a sandboxed run that passed');
    t.is((await zonlab('run', 'veth-netns', '--host', '--lb', 'nft', '--set', 'duration=1')).exitCode, 0);
    same('a host run that passed');
    t.is((await zonlab('run', path.join(fixtures, 'bad-gateway.toml'), '--host', '--lb', 'none')).exitCode, 1);
    same('a host run that failed');
    const interrupted = await startUntil(['run', 'veth-netns', '--host', '--lb', 'nft'], /paused after step/, {
      ZONLAB_PAUSE_AFTER_STEP: '15',
    });
    interrupted.child.kill('SIGINT');
    t.is((await interrupted.child).exitCode, 130);
    same('a host run that was interrupted');
    t.is((await zonlab('run', 'veth-netns', '--host', '--lb', 'nft', '--set', 'duration=1', '--keep')).exitCode, 0);
    t.regex(
      (await zonlab('status')).stdout,
      /veth-netns\s+host\s+run.*up: zonlab down veth-netns --host removes it/,
      'kept on purpose, not a killed run',
    );
    t.is((await zonlab('down', 'veth-netns', '--host')).exitCode, 0);
    same('a host run kept with --keep, then down');
    t.is((await zonlab('up', 'veth-netns', '--host', '--lb', 'nft')).exitCode, 0);
    t.is((await zonlab('down', 'veth-netns', '--host')).exitCode, 0);
    same('up --host, then down');

    const killed = await startUntil(['run', 'veth-netns', '--host', '--lb', 'nft'], /paused after step/, {
      ZONLAB_PAUSE_AFTER_STEP: '15',
    });
    killed.child.kill('SIGKILL');
    await killed.child;
    mkdirSync(workDirOf('deadbeef'), { recursive: true });
    t.true(readdirSync(workRoot()).length >= 2, "the killed run's and a dead run's work directories");
    const gc = await zonlab('gc');
    t.is(gc.exitCode, 0, gc.stderr);
    t.regex(gc.stdout, /removed work directory of run deadbeef/);
    same('gc after a killed run');
    t.deepEqual(snapshot(), before);
  },
);
