import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { preflight } from '../../src/commands/preflight.js';
import { MissingRequirement } from '../../src/errors.js';
import { planScenario } from '../../src/plan/plan.js';
import { loadScenario } from '../../src/scenario/load.js';
import { rootSkipReason, snapshot } from '../helpers/audit.js';
import { gated, hostGated } from '../helpers/gated.js';
import { cli, zonlabForTests } from '../helpers/zonlab-cli.js';

/**
 * zon-lb's netns_veth_to_netns exactly as its setup.sh builds it, with no sysctl that only one of
 * zonlab's drivers needs (issue 12): each driver brings what it needs, and leaves nothing behind.
 */
const fixture = fileURLToPath(new URL('../../../test/fixtures/scenarios/bare-two-netns.toml', import.meta.url));
const rootReason = rootSkipReason();

const cases = await Promise.all(
  (['embedded', 'nft'] as const).map(async (lb) => {
    if (rootReason) return { lb, skip: rootReason };
    try {
      await preflight(loadScenario(fixture), { lb, host: false, json: true, verbose: false, set: [] });
      return { lb, skip: undefined };
    } catch (err) {
      if (err instanceof MissingRequirement) return { lb, skip: err.reasons.join('; ') };
      throw err;
    }
  }),
);
const { env, zonlab } = zonlabForTests('bare');

for (const c of cases) {
  const title = `netns_veth_to_netns's setup.sh alone passes with the ${c.lb} driver and leaves nothing behind`;
  const driver = gated(c.skip);
  driver.integration(driver.title(title), async (t) => {
    const before = snapshot();
    const r = await zonlab('run', fixture, '--lb', c.lb, '--json', '--set', 'duration=1');
    t.is(r.exitCode, 0, `${r.stderr}\n${r.stdout.slice(0, 4000)}`);
    const doc = JSON.parse(r.stdout) as {
      status: string;
      checks: { name: string; status: string }[];
      counters?: Record<string, number>;
    };
    t.is(doc.status, 'passed');
    t.deepEqual(
      doc.checks.map((x) => `${x.name}:${x.status}`),
      ['telnet:passed', 'nc-udp:passed', 'ping:passed', 'iperf3:passed'],
    );
    // the backend's neighbour was resolved at load: not one packet needed the kernel to find it
    if (c.lb === 'embedded') t.is(doc.counters?.fib_failures, 0, JSON.stringify(doc.counters));
    t.deepEqual(snapshot(), before);
  });
}

const root = gated(rootReason);
root.integration(
  root.title('a backend the driver cannot reach is named before anything is built (exit 4)'),
  async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-far-'));
    try {
      writeFileSync(
        path.join(dir, 'far.toml'),
        readFileSync(fixture, 'utf8').replace('bare-two-netns.zonlb.toml', 'far.zonlb.toml'),
      );
      writeFileSync(
        path.join(dir, 'far.zonlb.toml'),
        readFileSync(fixture.replace('.toml', '.zonlb.toml'), 'utf8').replaceAll('10.2.0.2', '10.9.9.9'),
      );
      const before = snapshot();
      const r = await zonlab('run', path.join(dir, 'far.toml'), '--lb', 'embedded');
      t.is(r.exitCode, 4, r.stderr);
      t.regex(
        r.stderr,
        /the embedded driver cannot reach backends 1_0, 2_0, 3_0 \(10\.9\.9\.9\) from the load balancer's namespace: no interface there has an address in its subnet/,
      );
      t.notRegex(r.stderr, /check telnet/);
      t.deepEqual(snapshot(), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

// a --host plan marks what it creates: its steps count with the marks
const neighbourStep =
  planScenario(loadScenario(fixture), {
    kernel: '6.18',
    driver: 'embedded',
    bpfDir: '/x',
    marker: 'zonlab:x',
  }).findIndex((st) => st.kind === 'neighbour') + 1;
const embedded = cases.find((c) => c.lb === 'embedded')!;
const afterCrash = hostGated(embedded.skip);
afterCrash.integration(
  afterCrash.title(
    `a --host run SIGKILLed right after its neighbour step (${neighbourStep}) is taken back by zonlab down`,
  ),
  async (t) => {
    const before = snapshot();
    const killed = execa(process.execPath, [cli, 'run', fixture, '--lb', 'embedded', '--host'], {
      reject: false,
      env: { ...env, ZONLAB_PAUSE_AFTER_STEP: String(neighbourStep) },
    });
    let err = '';
    killed.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    try {
      for (let i = 0; i < 1000 && !err.includes(`paused after step ${neighbourStep}`); i++)
        await new Promise((r) => setTimeout(r, 20));
      t.regex(
        err,
        new RegExp(`neighbour 10\\.2\\.0\\.2 on veth2@default[^\\n]*\\n[^]*paused after step ${neighbourStep}`),
      );
      // the entry is there, with the backend's MAC, before the load balancer loads
      const neigh = await execa('ip', ['-j', 'neigh', 'show', '10.2.0.2', 'dev', 'veth2']);
      const mac = await execa('ip', ['-n', 'zone2', '-j', 'link', 'show', 'dev', 'veth3']);
      t.is(JSON.parse(neigh.stdout)[0]?.lladdr, JSON.parse(mac.stdout)[0]?.address);
    } finally {
      killed.kill('SIGKILL');
      await killed;
    }
    const down = await zonlab('down', 'bare-two-netns', '--host');
    t.is(down.exitCode, 0, down.stderr);
    t.deepEqual(snapshot(), before);
  },
);
