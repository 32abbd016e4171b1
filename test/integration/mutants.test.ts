// zonlab mutants: the shipped examples kill every mutant of the embedded load balancer that can show
// in them (on each data path the driver has for them), and a scenario whose checks are too weak lets
// one survive, and the command says so with exit 1.
import type { ExecutionContext } from 'ava';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { examplesDir } from '../../src/paths.js';
import { MUTANTS } from '../../src/mutants/catalogue.js';
import type { MutantVerdict } from '../../src/mutants/judge.js';
import { subScope } from '../helpers/audit.js';
import { rootGated } from '../helpers/gated.js';
import { slots } from '../../src/slots.js';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
// the tests run side by side (at most 6 commands at once, each two runs at a time): a killed mutant's run mostly waits
// out its failing checks' timeouts (some 75 s on veth-netns, one after another in one command), and
// every run is sandboxed, so each test audits only its own scope
const { concurrent: integration, title, scratch } = rootGated();
const dir = scratch('zonlab-mutants-test-');
const zonlabIn =
  (env: Record<string, string>) =>
  (...args: string[]) =>
    execa('node', [cli, ...args], {
      reject: false,
      env: { NO_COLOR: '1', ZONLAB_RESULTS: path.join(dir, 'results'), ...env },
    });
const zonlab = zonlabIn({});

const inSlot = slots(6);

const EXAMPLES: [string, Record<string, string[]>][] = [
  // mutant → the paths it applies to (the others are listed as not applicable, with why); the
  // longest first, as the slots are taken in the order the tests are declared: alone on a quiet
  // machine, 90–105 s each of the first four of netns-veth-to-netns and the first two of veth-netns
  // (their failing checks' timeouts), 10–30 s each of the others
  [
    'netns-veth-to-netns',
    {
      'no-reverse': ['tc', 'xdp'],
      untranslated: ['tc', 'xdp'],
      'ignore-src-ip': ['tc', 'xdp'],
      'stale-checksum': ['tc', 'xdp'],
      'drop-1-in-50': ['tc', 'xdp'],
      'wrong-port': ['tc', 'xdp'],
    },
  ],
  [
    'veth-netns',
    {
      'stale-checksum': ['tc', 'xdp'],
      'no-reverse': ['tc', 'xdp'],
      'drop-1-in-50': ['tc', 'xdp'],
      'wrong-port': ['tc', 'xdp'],
      untranslated: ['tc', 'xdp'],
    },
  ],
];

/** `zonlab mutants NAME --only …` in a scope of its own, its verdicts by mutant; the machine as before. */
async function mutants(t: ExecutionContext, name: string, only: string[]): Promise<Map<string, MutantVerdict>> {
  t.timeout(
    40 * 60_000,
    "a run per mutant and path, each failed check waiting out its timeout, after the other tests' turns",
  );
  const { env, snapshot } = subScope(`${name}-${only[0]}`);
  return inSlot(async () => {
    const before = snapshot();
    // a command's mutant runs two at a time (veth-netns has two paths a mutant)
    const r = await zonlabIn(env)('mutants', name, '--only', ...only, '--jobs', '2', '--json');
    t.is(r.exitCode, 0, `${r.stderr.slice(-3000)}\n${r.stdout.slice(0, 3000)}`);
    const doc = JSON.parse(r.stdout) as { mutants: MutantVerdict[] };
    t.deepEqual(
      doc.mutants.map((m) => m.name),
      only,
      "the mutants asked for, in the catalogue's order",
    );
    t.deepEqual(snapshot(), before);
    return new Map(doc.mutants.map((m) => [m.name, m]));
  });
}

// the shipped examples, a mutant at a time (each its own `zonlab mutants --only`, the shipped build
// first on every path as always): every mutant of the catalogue is judged in one of them
for (const [name, applicable] of EXAMPLES) {
  for (const [mutant, paths] of Object.entries(applicable)) {
    integration(
      title(`zonlab mutants ${name} --only ${mutant}: killed on every path it applies to (${paths.join(', ')})`),
      async (t) => {
        const m = (await mutants(t, name, [mutant])).get(mutant)!;
        t.deepEqual(
          m.paths.filter((p) => p.applicable).map((p) => p.path),
          paths,
        );
        t.true(m.killed, `${m.name}: ${JSON.stringify(m.paths)}`);
        t.true(m.by.length > 0);
        for (const p of m.paths.filter((x) => x.applicable)) t.is(p.outcome, 'killed', `on ${p.path}`);
      },
    );
  }
  const rest = MUTANTS.map((m) => m.name).filter((m) => !(m in applicable));
  integration(
    title(`zonlab mutants ${name}: the rest of the catalogue (${rest.join(', ')}) is not applicable, each saying why`),
    async (t) => {
      const verdicts = await mutants(t, name, rest);
      for (const m of verdicts.values()) {
        t.deepEqual(
          m.paths.filter((p) => p.applicable),
          [],
          m.name,
        );
        t.false(m.applicable, m.name);
        t.truthy(m.why, m.name);
      }
    },
  );
}

/**
 * netns-veth-to-netns as a user might weaken it: no expect_source, and a default route in zone2 (as
 * most backends have) so that the backend can answer the client's own address. Then nothing tells a
 * load balancer that ignores src_ip from one that does not.
 */
function weakened(keepExpectSource: boolean): string {
  const name = keepExpectSource ? 'nvn-routed' : 'nvn-no-source';
  let text = readFileSync(path.join(examplesDir, 'netns-veth-to-netns.toml'), 'utf8').replace(
    /^name = .*$/m,
    `name = "${name}"`,
  );
  if (!keepExpectSource) text = text.replace(/^expect_source = .*$/gm, '');
  text += '\n[[route]]\nnetns = "zone2"\nto = "default"\nvia = "10.2.0.1"\n';
  const file = path.join(dir, `${name}.toml`);
  writeFileSync(file, text);
  // once: the other copy's run may be reading it
  const config = path.join(dir, 'netns-veth-to-netns.zonlb.toml');
  if (!existsSync(config)) copyFileSync(path.join(examplesDir, 'netns-veth-to-netns.zonlb.toml'), config);
  return file;
}

integration(
  title(
    'a copy of netns-veth-to-netns without expect_source (and a route back) lets ignore-src-ip survive: exit 1, and the table says what would catch it',
  ),
  async (t) => {
    t.timeout(40 * 60_000, "after the other tests' turns");
    const r = await inSlot(() => zonlab('mutants', weakened(false), '--only', 'ignore-src-ip'));
    t.is(r.exitCode, 1, `${r.stderr.slice(-3000)}\n${r.stdout}`);
    t.regex(r.stdout, /ignore-src-ip\s+xdp\s+SURVIVED\s+every check passed; caught by: expect_source/);
    t.regex(r.stdout, /1 of 1 applicable mutants not killed: ignore-src-ip/);
  },
);

integration(
  title('the same copy with expect_source kept kills ignore-src-ip by the checks that state it'),
  async (t) => {
    t.timeout(40 * 60_000, "after the other tests' turns");
    const r = await inSlot(() => zonlab('mutants', weakened(true), '--only', 'ignore-src-ip', '--json'));
    t.is(r.exitCode, 0, `${r.stderr.slice(-3000)}\n${r.stdout}`);
    const [m] = (JSON.parse(r.stdout) as { mutants: MutantVerdict[] }).mutants;
    t.true(m!.killed);
    // every check that states the source; ping cannot (the backend answers the client's address as readily)
    t.deepEqual(m!.by.sort(), ['iperf', 'iperf3', 'iperf3-p16', 'nc-udp', 'telnet']);
  },
);
