import test from 'ava';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { count } from '../../../src/commands/actions/validate.js';

const cli = fileURLToPath(new URL('../../../src/cli.js', import.meta.url));

test('validate counts in English: "1 namespace, 1 veth pair", never "1 namespaces" (issue 24)', async (t) => {
  t.is(count(1, 'namespace'), '1 namespace');
  t.is(count(0, 'check'), '0 checks');
  t.is(count(4, 'veth pair'), '4 veth pairs');
  const r = await execa(process.execPath, [cli, 'validate', 'veth-netns']);
  t.regex(r.stdout, /valid \(1 namespace, 1 veth pair, 5 checks, load balancer config \S+ with 2 services\)/);
});
