import test from 'ava';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshot } from '../helpers/audit.js';
import { hostGated, rootGated } from '../helpers/gated.js';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const fixtures = fileURLToPath(new URL('../../../test/fixtures/scenarios/', import.meta.url));
const results = mkdtempSync(path.join(tmpdir(), 'zonlab-safety-'));
chmodSync(results, 0o755);
test.after.always(() => rmSync(results, { recursive: true, force: true }));
const env = { NO_COLOR: '1', ZONLAB_RESULTS: results };
const zonlab = (...args: string[]) => execa(process.execPath, [cli, ...args], { reject: false, env });
const { integration: root, title } = rootGated();
// the tests with --host labs own the machine's default namespace
const host = hostGated();

host.integration(
  host.title("a step that fails half-way rolls back and reports the step, the command and the kernel's message"),
  async (t) => {
    const before = snapshot();
    for (const mode of [[], ['--host']]) {
      const r = await zonlab('up', path.join(fixtures, 'bad-gateway.toml'), '--lb', 'none', ...mode);
      t.is(r.exitCode, 1, r.stderr);
      t.regex(r.stderr, /step failed: route 10\.9\.0\.0\/16 via 10\.8\.8\.8 in zone1/);
      t.regex(r.stderr, /command: ip -n zone1 route add 10\.9\.0\.0\/16 via 10\.8\.8\.8/);
      t.regex(r.stderr, /said: .*(Nexthop has invalid gateway|Network is unreachable)/);
      t.deepEqual(snapshot(), before);
    }
  },
);

root(title('two sandboxed runs of the same scenario at once both pass and do not see each other'), async (t) => {
  const before = snapshot();
  const [a, b] = await Promise.all([
    zonlab('run', 'veth-netns', '--lb', 'nft', '--json', '--set', 'duration=2'),
    zonlab('run', 'veth-netns', '--lb', 'nft', '--json', '--set', 'duration=2'),
  ]);
  t.is(a.exitCode, 0, a.stderr);
  t.is(b.exitCode, 0, b.stderr);
  t.not(JSON.parse(a.stdout).runId, JSON.parse(b.stdout).runId);
  t.deepEqual(snapshot(), before);
});

host.integration(
  host.title('a second --host run of the same names fails at once with "in use by run"; the first is not disturbed'),
  async (t) => {
    const before = snapshot();
    const first = execa(
      process.execPath,
      [cli, 'run', 'veth-netns', '--lb', 'nft', '--host', '--json', '--set', 'duration=3'],
      { reject: false, env },
    );
    // wait until the first holds the lab
    for (let i = 0; i < 100 && !readdirSafe('/run/zonlab/host').includes('veth-netns.journal'); i++)
      await new Promise((r) => setTimeout(r, 50));
    const second = await zonlab('run', 'veth-netns', '--lb', 'nft', '--host');
    t.is(second.exitCode, 2);
    t.regex(second.stderr, /veth-netns is in use by run [0-9a-f]+ \(pid \d+/);
    const r = await first;
    t.is(r.exitCode, 0, r.stderr);
    t.is(JSON.parse(r.stdout).status, 'passed');
    t.deepEqual(snapshot(), before);
  },
);

host.integration(host.title('a stale --host lab of a killed run is detected and reclaimed'), async (t) => {
  const before = snapshot();
  const killed = execa(process.execPath, [cli, 'run', 'veth-netns', '--lb', 'nft', '--host', '--set', 'duration=1'], {
    reject: false,
    env: { ...env, ZONLAB_PAUSE_AFTER_STEP: '8' },
  });
  let err = '';
  killed.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  for (let i = 0; i < 1000 && !err.includes('paused after step 8'); i++) await new Promise((r) => setTimeout(r, 20));
  t.regex(err, /paused after step 8/);
  killed.kill('SIGKILL');
  await killed;
  const r = await zonlab('run', 'veth-netns', '--lb', 'nft', '--host', '--set', 'duration=1');
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, /reclaiming veth-netns: run [0-9a-f]+ \(pid \d+\) was killed/);
  t.deepEqual(snapshot(), before);
});

// dropping to nobody needs root; without it this test cannot make an unprivileged user of its own
root(title('commands that need no root run as an unprivileged user; those that do say so in one line'), async (t) => {
  const home = mkdtempSync(path.join(tmpdir(), 'zonlab-nobody-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  chmodSync(home, 0o777);
  const asNobody = (...args: string[]) =>
    execa('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', process.execPath, cli, ...args], {
      reject: false,
      env: { ...env, ZONLAB_STATE: path.join(home, 'state'), HOME: home },
    });
  for (const args of [['validate', 'veth-netns'], ['plan', 'veth-netns'], ['list'], ['results'], ['status']]) {
    const r = await asNobody(...args);
    t.is(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  const run = await asNobody('run', 'veth-netns', '--lb', 'nft');
  t.is(run.exitCode, 4);
  t.regex(run.stderr.split('\n')[0]!, /needs root/);
  for (const cmd of [['down', 'veth-netns'], ['gc'], ['exec', 'veth-netns', 'zone1', '--', 'true']]) {
    const r = await asNobody(...cmd);
    t.is(r.exitCode, 4, cmd.join(' '));
    t.regex(r.stderr, /^zonlab: skipped: zonlab \w+ needs root/);
  }
});

test('result records are not world-writable, and a corrupt one is reported and skipped', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-records-'));
  const sample = path.join(dir, 'veth-netns');
  cpSync(fileURLToPath(new URL('../../../test/fixtures/records/', import.meta.url)), sample, { recursive: true });
  writeFileSync(path.join(sample, '2026-01-01T00-00-00-000Z-broken.json'), '{"schema": 1, "id": "tor');
  const r = await execa(process.execPath, [cli, 'results'], {
    reject: false,
    env: { NO_COLOR: '1', ZONLAB_RESULTS: dir },
  });
  t.is(r.exitCode, 0);
  t.regex(r.stderr, /skipped .*broken\.json: /);
  t.regex(r.stdout, /veth-netns\s+nft\s+passed/);
  for (const f of readdirSafe(results).flatMap((d) =>
    readdirSafe(path.join(results, d)).map((x) => path.join(results, d, x)),
  )) {
    if (f.endsWith('.json')) t.is(statSync(f).mode & 0o022, 0, f);
  }
  rmSync(dir, { recursive: true, force: true });
});

function readdirSafe(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

root(title('a load balancer that fails to load ends in a clear error and a full teardown'), async (t) => {
  const before = snapshot();
  const double = fileURLToPath(new URL('../../../test/fixtures/zon-lb-double/zon-lb', import.meta.url));
  const r = await execa(
    process.execPath,
    [cli, 'run', 'veth-netns', '--lb', 'zon-lb', '--zonlb', double, '--json', '--set', 'duration=1'],
    { reject: false, env: { ...env, ZONLB_DOUBLE_FAULT: 'load-error' } },
  );
  t.is(r.exitCode, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  t.is(doc.status, 'error');
  t.regex(
    doc.error,
    /the load balancer \(zon-lb\) failed to load\nzon-lb config .* load failed: .*ERROR zon_lb\] failure injected by ZONLB_DOUBLE_FAULT=load-error/,
  );
  t.deepEqual(doc.checks, [], 'no check ran against a load balancer that is not there');
  t.deepEqual(snapshot(), before);
});

test('zonlab audit save/check finds a difference and passes when there is none', async (t) => {
  const file = path.join(results, 'audit.json');
  t.is((await zonlab('audit', 'save', file)).exitCode, 0);
  const same = await zonlab('audit', 'check', file);
  t.is(same.exitCode, 0, same.stdout);
  const { readFileSync } = await import('node:fs');
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...doc, namespaces: 'ghost-namespace' }));
  const differs = await zonlab('audit', 'check', file);
  t.is(differs.exitCode, 1);
  t.regex(differs.stdout, /namespaces:\n {2}before: ghost-namespace/);
});

/** A directory of one fake tool put first on PATH for one run; removed when the tests end. */
const fakeDirs: string[] = [];
test.after.always(() => {
  for (const d of fakeDirs) rmSync(d, { recursive: true, force: true });
});
function fakeTool(name: string, script: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `zonlab-fake-${name}-`));
  fakeDirs.push(dir);
  writeFileSync(path.join(dir, name), `#!/bin/sh\n${script}\n`);
  chmodSync(path.join(dir, name), 0o755);
  return dir;
}

root(
  title(
    'a server that does not start and a client that hangs end in clear failures and a full teardown, in bounded time',
  ),
  async (t) => {
    const before = snapshot();
    const deadNc = fakeTool('nc', 'echo "nc: cannot bind" >&2; exit 1');
    // bounded: a run that waits for the 600-second client would be killed here and fail, not time a figure
    const bounded = { reject: false, timeout: 300_000 } as const;
    const noServer = await execa(
      process.execPath,
      [cli, 'run', 'veth-netns', '--lb', 'nft', '--json', '--set', 'duration=1'],
      { ...bounded, env: { ...env, PATH: `${deadNc}:${process.env.PATH}` } },
    );
    const doc = JSON.parse(noServer.stdout);
    t.is(noServer.exitCode, 1);
    t.regex(
      doc.checks.find((c: { name: string }) => c.name === 'telnet').summary,
      /nc did not listen on 127\.0\.0\.23:223 \(tcp\) in the default namespace within 5 s/,
    );
    // a sleep of its own length: another user's `sleep 600` is not this test's client
    const hangFor = `600.${process.pid}`;
    const hangingTelnet = fakeTool('telnet', `exec sleep ${hangFor}`);
    const hang = await execa(
      process.execPath,
      [cli, 'run', 'veth-netns', '--lb', 'nft', '--json', '--set', 'duration=1'],
      { ...bounded, env: { ...env, PATH: `${hangingTelnet}:${process.env.PATH}` } },
    );
    const hangDoc = JSON.parse(hang.stdout);
    t.is(hang.exitCode, 1);
    t.regex(
      hangDoc.checks.find((c: { name: string }) => c.name === 'telnet').summary,
      /did not receive the client's token within 10 s/,
    );
    t.is(hangDoc.checks.find((c: { name: string }) => c.name === 'nc').status, 'passed', 'the other checks go on');
    t.false(noServer.timedOut || hang.timedOut, 'each run ended by itself');
    t.deepEqual(snapshot(), before);
    t.throws(
      () => execFileSync('pgrep', ['-f', `^sleep ${hangFor.replace('.', '\\.')}$`]),
      undefined,
      'the hanging client was killed',
    );
  },
);

host.integration(
  host.title('--keep on a failed step leaves the lab as the step left it and says how to remove it'),
  async (t) => {
    const before = snapshot();
    const r = await zonlab('run', path.join(fixtures, 'bad-gateway.toml'), '--lb', 'none', '--host', '--keep');
    t.is(r.exitCode, 1, r.stderr);
    t.regex(r.stderr, /--keep: the lab is left as the failed step left it/);
    t.regex(r.stderr, /remove it with: zonlab down bad-gateway --host/);
    t.regex(snapshot().namespaces, /zone1/, 'the namespace is still there to look at');
    const down = await zonlab('down', 'bad-gateway', '--host');
    t.is(down.exitCode, 0, down.stderr);
    t.deepEqual(snapshot(), before);
  },
);

root(
  title(
    'a sandboxed run refuses report paths under /run (the sandbox has a /run of its own) before it builds anything',
  ),
  async (t) => {
    const before = snapshot();
    const r = await zonlab('run', 'veth-netns', '--junit', '/run/zonlab-junit.xml', '--markdown', 'summary.md');
    t.is(r.exitCode, 2, r.stderr);
    t.regex(r.stderr, /--junit \/run\/zonlab-junit\.xml: inside the sandbox \/run is the sandbox's own/);
    t.notRegex(r.stderr, /--markdown/, 'a path outside /run is fine');
    t.regex(r.stderr, /outside \/run, or run with --host/);
    t.deepEqual(snapshot(), before);
  },
);
