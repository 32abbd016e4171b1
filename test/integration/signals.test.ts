import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { snapshot } from '../helpers/audit.js';
import { rootGated } from '../helpers/gated.js';

/** Issue 13: a run ended by a signal exits 128 + that signal (after its teardown), not a fixed code. */
const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const scenario = fileURLToPath(new URL('../../../test/fixtures/scenarios/shaped.toml', import.meta.url));
const { integration, title, scratch } = rootGated();
const results = scratch('zonlab-signals-');

for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  integration(
    title(`${signal} during a sandboxed run: teardown, then exit ${code} (128 + ${code - 128})`),
    async (t) => {
      const before = snapshot();
      // forceKillAfterDelay: execa would SIGKILL a child still tearing down 5 s after the signal
      const child = execa(process.execPath, [cli, 'run', scenario, '--set', 'duration=30', '--results', results], {
        reject: false,
        env: { NO_COLOR: '1' },
        forceKillAfterDelay: false,
      });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
      });
      const deadline = Date.now() + 30_000;
      while (!/check iperf3/.test(err) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      child.kill(signal);
      const r = await child;
      t.is(r.exitCode, code, `${err}\n(ended by ${r.signal ?? 'exit'})`);
      t.regex(err, /tearing down/);
      t.deepEqual(snapshot(), before);
    },
  );
}

/**
 * Issue 22: a terminal's Ctrl-C goes to the whole foreground process group. The sandbox is a
 * session of its own, so its process inside hears it once, from zonlab: one message, one
 * teardown, 130 (it said "SIGINT again: teardown is under way" when it heard the group's too).
 */
integration(
  title('Ctrl-C to the process group of a sandboxed run (as a terminal sends it): one message, one teardown, exit 130'),
  async (t) => {
    const before = snapshot();
    const child = execa(process.execPath, [cli, 'run', scenario, '--set', 'duration=30', '--results', results], {
      reject: false,
      env: { NO_COLOR: '1' },
      forceKillAfterDelay: false,
      detached: true,
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const deadline = Date.now() + 30_000;
    while (!/check iperf3/.test(err) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    process.kill(-child.pid!, 'SIGINT');
    const r = await child;
    t.is(r.exitCode, 130, err);
    t.is(err.match(/SIGINT/g)?.length, 1, err);
    t.notRegex(err, /again/);
    t.is(err.match(/^tearing down$/gm)?.length, 1, err);
    t.deepEqual(snapshot(), before);
  },
);
