import test from 'ava';
import { execa } from 'execa';
import fc from 'fast-check';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { InvalidInput } from '../../src/errors.js';
import { isIdentifier, isNetnsName, isNetSysctlKey } from '../../src/scenario/names.js';
import { isInterfaceName } from '../../lab/net.js';
import { netlinkRequests, spawnedProcesses } from '../../lab/run-command.js';
import { validateScenario } from '../../src/scenario/validate/index.js';
import { rootGated } from '../helpers/gated.js';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const corpus = fileURLToPath(new URL('../../../test/fixtures/hostile/', import.meta.url));
const cases = JSON.parse(readFileSync(path.join(corpus, 'expectations.json'), 'utf8')) as {
  file: string;
  key: string;
  message: string;
  zonlbFile?: string;
}[];

// Every tool zonlab could run, as a fake that logs and fails: nothing may be run for bad input.
const fakes = mkdtempSync(path.join(tmpdir(), 'zonlab-fakes-'));
const ranLog = path.join(fakes, 'ran.log');
for (const tool of [
  'ip',
  'tc',
  'nft',
  'ethtool',
  'sysctl',
  'unshare',
  'nsenter',
  'mount',
  'setpriv',
  'iperf3',
  'iperf',
  'nc',
  'telnet',
  'ping',
  'ss',
  'zon-lb',
]) {
  writeFileSync(path.join(fakes, tool), `#!/bin/sh\necho "${tool} $*" >> ${ranLog}\nexit 1\n`);
  chmodSync(path.join(fakes, tool), 0o755);
}
test.after.always(() => rmSync(fakes, { recursive: true, force: true }));
const env = {
  PATH: `${fakes}:/usr/bin:/bin`,
  NO_COLOR: '1',
  ZONLAB_STATE: path.join(fakes, 'state'),
  ZONLAB_RESULTS: path.join(fakes, 'results'),
};

/** A few cases as real processes, so that the program's own path (its exit code, its stderr) stays tested. */
const zonlabProcess = async (...args: string[]) => {
  const r = await execa(process.execPath, [cli, ...args], { reject: false, env });
  return { exitCode: r.exitCode, stderr: r.stderr, ran: [] as string[] };
};

// The rest in this process, through main() (one process each took 98 s for the corpus): the same
// environment, and every way to start a process replaced by one that refuses and logs, so that
// "runs nothing" still holds for any spawn path (lab/run-command, lab/sandbox, src/audit, …), with
// the engine's own counters of processes and netlink requests as a second witness.
// (whether the witness at the end can run is asked of the real tools, before the fakes are on PATH)
const witness = rootGated();
Object.assign(process.env, env);
const childProcess = createRequire(import.meta.url)('node:child_process') as Record<string, unknown>;
const TRAPPED = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'];

async function zonlabInProcess(...args: string[]) {
  const { main, report } = await import('../../src/cli.js');
  const ran: string[] = [];
  const originals = TRAPPED.map((name) => childProcess[name]);
  for (const name of TRAPPED) {
    childProcess[name] = (...a: unknown[]) => {
      ran.push(`${name} ${JSON.stringify(a.slice(0, 2))}`);
      throw new Error(`the hostile corpus may start no process (${name})`);
    };
  }
  syncBuiltinESMExports();
  const stderr: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((s: string | Uint8Array) => {
    stderr.push(String(s));
    return true;
  }) as typeof process.stderr.write;
  const spawned = spawnedProcesses();
  const netlink = netlinkRequests();
  let exitCode: number;
  try {
    exitCode = await main(args);
  } catch (err) {
    exitCode = report(err);
  } finally {
    process.stderr.write = write;
    TRAPPED.forEach((name, i) => {
      childProcess[name] = originals[i];
    });
    syncBuiltinESMExports();
  }
  if (spawnedProcesses() !== spawned) ran.push(`${spawnedProcesses() - spawned} processes counted by lab/run-command`);
  if (netlinkRequests() !== netlink) ran.push(`${netlinkRequests() - netlink} netlink requests`);
  return { exitCode, stderr: stderr.join(''), ran };
}

/** The first, a zon-lb one and the last go through a real process; the others in this one. */
const throughProcess = new Set([cases[0]?.file, cases.find((c) => c.zonlbFile)?.file, cases.at(-1)?.file]);

test('the corpus has at least 50 hostile or broken files', (t) => {
  t.true(cases.length >= 50, `${cases.length} cases`);
});

for (const c of cases) {
  const how = throughProcess.has(c.file) ? 'a process' : 'main()';
  test.serial(
    `hostile input ${c.file} (through ${how}): exit 2, names the file and the key, runs nothing`,
    async (t) => {
      const r = await (throughProcess.has(c.file) ? zonlabProcess : zonlabInProcess)('run', path.join(corpus, c.file));
      t.is(r.exitCode, 2, r.stderr);
      const file = c.zonlbFile ?? c.file;
      t.true(r.stderr.includes(path.join(corpus, file)) || r.stderr.includes(file), `names ${file}: ${r.stderr}`);
      if (c.key)
        t.true(r.stderr.includes(`${c.key}:`) || r.stderr.includes(` ${c.key}`), `names ${c.key}: ${r.stderr}`);
      t.regex(r.stderr, new RegExp(c.message));
      t.false(existsSync(ranLog), existsSync(ranLog) ? readFileSync(ranLog, 'utf8') : '');
      t.deepEqual(r.ran, []);
    },
  );
}

test.serial('a very large file is refused without being parsed', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-large-'));
  const file = path.join(dir, 'large.toml');
  writeFileSync(file, `name = "large"\n${'# padding\n'.repeat(220_000)}`);
  const r = await zonlabInProcess('validate', file);
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /large\.toml: larger than 1048576 bytes/);
  rmSync(dir, { recursive: true, force: true });
});

// The validator on arbitrary text in every string field of a valid scenario: it accepts only what
// is safe to put in an argument, and refuses the rest with a file and a key — never anything else.
const base = readFileSync(path.join(corpus, 'base.toml'), 'utf8');
const zonlbText = readFileSync(path.join(corpus, 'ok.zonlb.toml'), 'utf8');
const SLOTS = [
  '"zone1"',
  '"veth0"',
  '"veth1"',
  '"10.0.0.1/24"',
  '"127.0.0.23/24"',
  '"net.ipv4.conf.veth0.accept_local"',
  '"backend"',
  '"10.0.0.1"',
  '"telnet"',
];

test('property: arbitrary strings in any field are either safe or refused with file and key', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: SLOTS.length - 1 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      (slot, value) => {
        const text = base.replace(SLOTS[slot]!, JSON.stringify(value));
        let doc: Record<string, unknown>;
        try {
          doc = parse(text) as Record<string, unknown>;
        } catch {
          return true;
        } // not TOML: the loader's own case
        try {
          const s = validateScenario({
            scenario: { file: '/s/x.toml', text, doc },
            params: {},
            hash: 'h',
            readFile: () => zonlbText,
            xdpProgramExists: () => false,
          });
          for (const ns of s.namespaces) if (!isNetnsName(ns)) return false;
          for (const v of s.veths) for (const e of [v.a, v.b]) if (!isInterfaceName(e.name)) return false;
          for (const c of s.sysctls) if (!isNetSysctlKey(c.key)) return false;
          for (const c of s.checks) if (!isIdentifier(c.name)) return false;
          return true;
        } catch (err) {
          return (
            err instanceof InvalidInput &&
            err.problems.length > 0 &&
            err.problems.every(
              (p) => p.file === '/s/x.toml' || p.file.endsWith('.zonlb.toml') || p.file.includes('x.toml'),
            )
          );
        }
      },
    ),
    { numRuns: 400 },
  );
  t.pass();
});

test('property: arbitrary TOML-ish text never crashes the loader', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-fuzz-'));
  const { loadScenario } = await import('../../src/scenario/load.js');
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...'[]="\n.abc123_-{},#$'.split('')), maxLength: 200 }), (text) => {
      const file = path.join(dir, 'f.toml');
      writeFileSync(file, text);
      try {
        loadScenario(file);
        return true;
      } catch (err) {
        return err instanceof InvalidInput;
      }
    }),
    { numRuns: 400 },
  );
  rmSync(dir, { recursive: true, force: true });
  t.pass();
});

// The witness itself: a valid scenario gets past validation and wants its first process, which the
// trap refuses and reports (were it blind, every case above would pass whatever ran). Without root
// the run is a skip before any process, so the witness needs root (its gate is decided above, before
// the fakes come first on PATH).
witness.integration(
  witness.title('the in-process witness sees the first process a valid scenario starts'),
  async (t) => {
    const r = await zonlabInProcess('run', path.join(corpus, 'base.toml'));
    t.not(r.exitCode, 0, r.stderr);
    t.true(r.ran.length > 0, r.stderr);
    t.log(r.ran[0]);
    t.false(existsSync(ranLog));
  },
);
