import test from 'ava';
import path from 'node:path';
import { zonlbBinaryDriver } from '../../src/drivers/zonlb-binary.js';
import { errorLines } from '../../src/drivers/zonlb-command.js';
import type { ZonlbConfig } from '../../src/zonlb/config.js';
import { fakeZonlb } from '../helpers/fake-zonlb.js';

/** Issue 22: zon-lb's ERROR records, every one and whole, whatever the user's RUST_LOG and RUST_LOG_STYLE. */
const TOML_ERROR = [
  '[2026-12-02T10:00:00Z INFO  zon_lb::config] Loading config from /tmp/x/zonlb.toml',
  '[2026-12-02T10:00:00Z ERROR zon_lb] TOML parse error at line 3, column 9',
  '  |',
  '3 | [veth0.1',
  '  |         ^',
  'invalid table header',
  'expected `.`, `]`',
  '[2026-12-02T10:00:00Z WARN  zon_lb::config] a warning',
  '  that goes on',
  '[2026-12-02T10:00:01Z ERROR zon_lb::helpers] Failed to attach to veth0: no such device',
].join('\n');

test('every ERROR record is kept whole, its continuation lines too; WARN and INFO records are not', (t) => {
  t.deepEqual(errorLines({ stdout: '', stderr: TOML_ERROR }), [
    '[2026-12-02T10:00:00Z ERROR zon_lb] TOML parse error at line 3, column 9\n  |\n3 | [veth0.1\n  |         ^\ninvalid table header\nexpected `.`, `]`',
    '[2026-12-02T10:00:01Z ERROR zon_lb::helpers] Failed to attach to veth0: no such device',
  ]);
});

test('a coloured level (RUST_LOG_STYLE=always) still reads as ERROR', (t) => {
  const coloured = '[2026-12-02T10:00:00Z \x1b[31mERROR\x1b[0m zon_lb] boom\n';
  t.deepEqual(errorLines({ stdout: '', stderr: coloured }), ['[2026-12-02T10:00:00Z ERROR zon_lb] boom']);
});

test('no ERROR record: nothing (a line that merely says ERROR in stdout is not one)', (t) => {
  t.deepEqual(
    errorLines({ stdout: 'ERROR_COUNT: 0\nERROR x\n', stderr: '[2026-12-02T10:00:00Z INFO  zon_lb] ok\n' }),
    [],
  );
});

/** A zon-lb whose logging is env_logger's: RUST_LOG=off says nothing, RUST_LOG_STYLE=always colours. */
const FAKE = `const off = /(^|,)\\s*off\\s*($|,)/.test(process.env.RUST_LOG ?? '');
const colour = process.env.RUST_LOG_STYLE === 'always';
const level = (l) => (colour ? '\\x1b[31m' + l + '\\x1b[0m' : l);
require('fs').appendFileSync(process.env.FAKE_SEEN, JSON.stringify({ argv: process.argv.slice(2), RUST_LOG: process.env.RUST_LOG, RUST_LOG_STYLE: process.env.RUST_LOG_STYLE }) + '\\n');
if (process.argv[2] === 'config' && !off) process.stderr.write(${JSON.stringify(TOML_ERROR)}.replace(/ERROR/g, level('ERROR')) + '\\n');
`;

test("with a hostile RUST_LOG=off and RUST_LOG_STYLE=always, zon-lb gets zonlab's own, and the load fails with both ERROR records, whole", async (t) => {
  const { dir, bin } = fakeZonlb(t, FAKE);
  const saved = {
    RUST_LOG: process.env.RUST_LOG,
    RUST_LOG_STYLE: process.env.RUST_LOG_STYLE,
    FAKE_SEEN: process.env.FAKE_SEEN,
  };
  Object.assign(process.env, { RUST_LOG: 'off', RUST_LOG_STYLE: 'always', FAKE_SEEN: path.join(dir, 'seen') });
  t.teardown(() => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });
  const driver = zonlbBinaryDriver({ path: bin, bpffs: dir });
  const config = { text: '', interfaces: ['veth0'], services: [] } as unknown as ZonlbConfig;
  const err = await t.throwsAsync(driver.load({ config, runId: 'x', workDir: dir, log: () => {} }));
  t.regex(
    err!.message,
    /TOML parse error at line 3, column 9\n {2}\|\n3 \| \[veth0\.1\n {2}\| {9}\^\ninvalid table header\nexpected `\.`, `\]`\n.*ERROR zon_lb::helpers\] Failed to attach to veth0/,
  );
  const { readFileSync } = await import('node:fs');
  const seen = readFileSync(path.join(dir, 'seen'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { RUST_LOG: string; RUST_LOG_STYLE: string });
  t.true(
    seen.length > 0 && seen.every((s) => s.RUST_LOG === 'info' && s.RUST_LOG_STYLE === 'never'),
    JSON.stringify(seen),
  );
});
