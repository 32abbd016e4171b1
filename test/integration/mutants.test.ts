// zonlab mutants: the shipped examples kill every mutant of the embedded load balancer that can show
// in them (on each data path the driver has for them), and a scenario whose checks are too weak lets
// one survive, and the command says so with exit 1.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { examplesDir } from '../../src/paths.js';
import type { MutantVerdict } from '../../src/mutants/judge.js';
import { snapshot } from '../helpers/audit.js';
import { rootGated } from '../helpers/gated.js';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const { integration, title, scratch } = rootGated();
const dir = scratch('zonlab-mutants-test-');
const zonlab = (...args: string[]) => execa('node', [cli, ...args], { reject: false, env: { NO_COLOR: '1', ZONLAB_RESULTS: path.join(dir, 'results') } });

const EXAMPLES: [string, Record<string, string[]>][] = [
  // mutant → the paths it applies to (the others are listed as not applicable, with why)
  ['netns-veth-to-netns', { 'untranslated': ['xdp'], 'no-reverse': ['xdp'], 'ignore-src-ip': ['xdp'], 'wrong-port': ['xdp'], 'drop-1-in-50': ['xdp'], 'stale-checksum': ['xdp'] }],
  ['veth-netns', { 'untranslated': ['tc', 'xdp'], 'no-reverse': ['tc', 'xdp'], 'wrong-port': ['tc', 'xdp'], 'drop-1-in-50': ['tc', 'xdp'], 'stale-checksum': ['tc', 'xdp'] }],
];

for (const [name, applicable] of EXAMPLES) {
  integration(title(`zonlab mutants ${name}: every applicable mutant is killed on every path (${Object.keys(applicable).join(', ')}); the rest say why not`), async (t) => {
    t.timeout(40 * 60_000, 'a run per mutant and path, each failed check waiting out its timeout');
    const before = snapshot();
    const r = await zonlab('mutants', name, '--json');
    t.is(r.exitCode, 0, `${r.stderr.slice(-3000)}\n${r.stdout.slice(0, 3000)}`);
    const doc = JSON.parse(r.stdout) as { mutants: MutantVerdict[] };
    for (const m of doc.mutants) {
      const paths = applicable[m.name];
      t.deepEqual(m.paths.filter((p) => p.applicable).map((p) => p.path), paths ?? [], m.name);
      if (!paths) {
        t.false(m.applicable, m.name);
        t.truthy(m.why, m.name);
        continue;
      }
      t.true(m.killed, `${m.name}: ${JSON.stringify(m.paths)}`);
      t.true(m.by.length > 0, m.name);
      for (const p of m.paths.filter((x) => x.applicable)) t.is(p.outcome, 'killed', `${m.name} on ${p.path}`);
    }
    t.deepEqual(snapshot(), before);
  });
}

/**
 * netns-veth-to-netns as a user might weaken it: no expect_source, and a default route in zone2 (as
 * most backends have) so that the backend can answer the client's own address. Then nothing tells a
 * load balancer that ignores src_ip from one that does not.
 */
function weakened(keepExpectSource: boolean): string {
  const name = keepExpectSource ? 'nvn-routed' : 'nvn-no-source';
  let text = readFileSync(path.join(examplesDir, 'netns-veth-to-netns.toml'), 'utf8').replace(/^name = .*$/m, `name = "${name}"`);
  if (!keepExpectSource) text = text.replace(/^expect_source = .*$/gm, '');
  text += '\n[[route]]\nnetns = "zone2"\nto = "default"\nvia = "10.2.0.1"\n';
  const file = path.join(dir, `${name}.toml`);
  writeFileSync(file, text);
  copyFileSync(path.join(examplesDir, 'netns-veth-to-netns.zonlb.toml'), path.join(dir, 'netns-veth-to-netns.zonlb.toml'));
  return file;
}

integration(title('a copy of netns-veth-to-netns without expect_source (and a route back) lets ignore-src-ip survive: exit 1, and the table says what would catch it'), async (t) => {
  t.timeout(10 * 60_000);
  const r = await zonlab('mutants', weakened(false), '--only', 'ignore-src-ip');
  t.is(r.exitCode, 1, `${r.stderr.slice(-3000)}\n${r.stdout}`);
  t.regex(r.stdout, /ignore-src-ip\s+xdp\s+SURVIVED\s+every check passed; caught by: expect_source/);
  t.regex(r.stdout, /1 of 1 applicable mutants not killed: ignore-src-ip/);
});

integration(title('the same copy with expect_source kept kills ignore-src-ip by the checks that state it'), async (t) => {
  t.timeout(10 * 60_000);
  const r = await zonlab('mutants', weakened(true), '--only', 'ignore-src-ip', '--json');
  t.is(r.exitCode, 0, `${r.stderr.slice(-3000)}\n${r.stdout}`);
  const [m] = (JSON.parse(r.stdout) as { mutants: MutantVerdict[] }).mutants;
  t.true(m!.killed);
  // every check that states the source; ping cannot (the backend answers the client's address as readily)
  t.deepEqual(m!.by.sort(), ['iperf', 'iperf3', 'iperf3-p16', 'nc-udp', 'telnet']);
});
