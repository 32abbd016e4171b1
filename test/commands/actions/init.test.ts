import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initCommand, starterScenario } from '../../../src/commands/actions/init.js';
import { UserError } from '../../../src/errors.js';
import { loadScenario } from '../../../src/scenario/load.js';

test('the starter scenario is the README example under its own name, with its own zonlb.toml, and valid', (t) => {
  const text = starterScenario('my-lb');
  t.regex(text, /^name = "my-lb"$/m);
  t.regex(text, /^config = "my-lb\.zonlb\.toml"$/m);
  t.regex(text, /^# {3}sudo zonlab run my-lb /m);
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-init-'));
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    initCommand({ dir, name: 'my-lb' });
    const s = loadScenario(path.join(dir, 'scenarios', 'my-lb.toml'));
    t.is(s.name, 'my-lb');
    t.true(s.checks.length > 0);
    t.is(s.lb.config?.file, path.join(dir, 'scenarios', 'my-lb.zonlb.toml'));
    t.regex(readFileSync(path.join(dir, 'scenarios', 'my-lb.zonlb.toml'), 'utf8'), /\[netif\.veth0\.1\]/);
    t.throws(() => initCommand({ dir, name: 'my-lb' }), { instanceOf: UserError, message: /exists already/ });
  } finally {
    process.stdout.write = write;
    rmSync(dir, { recursive: true, force: true });
  }
});
