import test from 'ava';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshot } from '../helpers/audit.js';
import { rootGated } from '../helpers/gated.js';

/**
 * zonlab in a zon-lb checkout (issue 13): the packed tarball installed in a scratch folder, then
 * init, validate and run from another folder that has nothing of zonlab's. The install is
 * offline: the lockfile pins the dependencies this checkout uses, which npm's cache holds.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'zonlab-install-'));
const app = path.join(scratch, 'app');
const checkout = path.join(scratch, 'zon-lb');
const zonlabBin = path.join(app, 'node_modules', '.bin', 'zonlab');
// any request to a registry fails at once: the install must come from the tarball and the cache
const offline = {
  npm_config_proxy: 'http://127.0.0.1:9',
  npm_config_https_proxy: 'http://127.0.0.1:9',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};
// as a user in their checkout: no ZONLAB_* settings of this test run
const userEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ZONLAB_'))),
  NO_COLOR: '1',
};
const zonlab = (...args: string[]) =>
  execa(zonlabBin, args, { cwd: checkout, reject: false, env: userEnv, extendEnv: false });
test.after.always(() => rmSync(scratch, { recursive: true, force: true }));

/** The app's lockfile: the tarball, and this checkout's own runtime dependencies at their locked versions. */
function lockfile(tarball: string): object {
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  const me = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    version: string;
    dependencies: object;
    bin: object;
    engines: object;
  };
  const runtime = Object.fromEntries(Object.entries(lock.packages).filter(([k, v]) => k && !v.dev && !v.devOptional));
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const spec = `file:../${path.basename(tarball)}`;
  return {
    name: 'app',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'app', dependencies: { zonlab: spec } },
      ...runtime,
      'node_modules/zonlab': {
        version: me.version,
        resolved: spec,
        integrity,
        hasInstallScript: true,
        license: 'MIT',
        dependencies: me.dependencies,
        bin: me.bin,
        engines: me.engines,
      },
    },
  };
}

test.before(async () => {
  // dist/ is built by the test run; the tarball is packed from it as it is
  const pack = await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch], {
    cwd: root,
    env: offline,
  });
  const tarball = path.join(scratch, pack.stdout.trim().split('\n').pop()!);
  mkdirSync(app);
  mkdirSync(checkout);
  writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'app', private: true, dependencies: { zonlab: `file:../${path.basename(tarball)}` } }),
  );
  writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify(lockfile(tarball)));
  const install = await execa('npm', ['ci', '--offline'], { cwd: app, reject: false, env: offline });
  if (install.exitCode !== 0)
    throw new Error(
      `npm could not install the packed zonlab offline (is the npm cache missing its dependencies?):\n${install.stderr}`,
    );
});

test.serial(
  'the tarball ships the program, the BPF sources, the examples and the topologies, and nothing of the tests',
  (t) => {
    const pkg = path.join(app, 'node_modules', 'zonlab');
    for (const f of [
      'dist/src/cli.js',
      'bpf/zonlb_xdp.c',
      'bpf/xdp_pass.c',
      'scenarios/veth-netns.toml',
      'scenarios/veth-netns.zonlb.toml',
      'lab/topologies/two-links.toml',
      'scripts/build-bpf.mjs',
    ])
      t.true(existsSync(path.join(pkg, f)), f);
    t.false(existsSync(path.join(pkg, 'dist', 'test')));
    t.false(existsSync(path.join(pkg, 'test')));
    // postinstall built the XDP objects (clang is here); without clang the first run builds them
    t.true(existsSync(path.join(pkg, 'bpf', 'zonlb_xdp.o')));
  },
);

test.serial(
  'zonlab init writes a starter scenario and its zonlb.toml in the working directory; validate and list find them there',
  async (t) => {
    const init = await zonlab('init');
    t.is(init.exitCode, 0, init.stderr);
    t.deepEqual(readdirSync(path.join(checkout, 'scenarios')).sort(), ['starter.toml', 'starter.zonlb.toml']);
    t.regex(
      readFileSync(path.join(checkout, 'scenarios', 'starter.toml'), 'utf8'),
      /^# A starter scenario written by `zonlab init`/,
    );
    const again = await zonlab('init');
    t.is(again.exitCode, 2, 'init never overwrites');
    const v = await zonlab('validate', 'starter');
    t.is(v.exitCode, 0, v.stderr);
    t.true(v.stdout.startsWith(path.join(checkout, 'scenarios', 'starter.toml')), v.stdout);
    // the shipped examples stay runnable by name, and list says which are which
    t.is((await zonlab('validate', 'veth-netns')).exitCode, 0);
    const list = await zonlab('list', '--json');
    const rows = JSON.parse(list.stdout) as { name: string; example: boolean }[];
    t.like(rows[0], { name: 'starter', example: false });
    t.true(rows.some((r) => r.name === 'veth-netns' && r.example));
  },
);

const { integration, title } = rootGated();
integration(
  title(
    'zonlab run starter from the zon-lb checkout: XDP objects built at first use, records in ./results, nothing left behind',
  ),
  async (t) => {
    const before = snapshot();
    // as if the install had no clang (or npm ran no install scripts): the first run builds them
    const bpf = path.join(app, 'node_modules', 'zonlab', 'bpf');
    for (const f of readdirSync(bpf).filter((n) => n.endsWith('.o'))) rmSync(path.join(bpf, f));
    const r = await zonlab('run', 'starter', '--set', 'duration=1');
    t.is(r.exitCode, 0, r.stderr);
    t.regex(r.stderr, /zonlab: built bpf\/zonlb_xdp\.o \(first use\)/);
    t.regex(r.stdout, /starter: PASSED \(driver embedded/);
    t.regex(r.stdout, new RegExp(`record: ${path.join(checkout, 'results', 'starter')}/`));
    t.deepEqual(snapshot(), before);
  },
);
