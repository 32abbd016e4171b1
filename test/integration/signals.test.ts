import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { snapshot } from '../helpers/audit.js';
import { rootGated } from '../helpers/gated.js';

/** Issue 13: a run ended by a signal exits 128 + that signal (after its teardown), not a fixed code. */
const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const scenario = fileURLToPath(new URL('../../../test/fixtures/scenarios/shaped.toml', import.meta.url));
const { integration, title, scratch } = rootGated();
const results = scratch('zonlab-signals-');

for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  integration(title(`${signal} during a sandboxed run: teardown, then exit ${code} (128 + ${code - 128})`), async (t) => {
    const before = snapshot();
    // forceKillAfterDelay: execa would SIGKILL a child still tearing down 5 s after the signal
    const child = execa(process.execPath, [cli, 'run', scenario, '--set', 'duration=30', '--results', results], { reject: false, env: { NO_COLOR: '1' }, forceKillAfterDelay: false });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const deadline = Date.now() + 30_000;
    while (!/check iperf3/.test(err) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill(signal);
    const r = await child;
    t.is(r.exitCode, code, `${err}\n(ended by ${r.signal ?? 'exit'})`);
    t.regex(err, /tearing down/);
    t.deepEqual(snapshot(), before);
  });
}
