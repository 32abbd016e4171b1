import test from 'ava';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const zonlab = (...args: string[]) =>
  execa(process.execPath, [cli, ...args], { reject: false, env: { NO_COLOR: '1' } });

const bad = test.macro(async (t, args: string[], message: RegExp) => {
  const r = await zonlab('run', 'veth-netns', ...args);
  t.is(r.exitCode, 2, r.stderr);
  t.regex(r.stderr, message);
});

test(
  '--repeat takes a whole number or auto',
  bad,
  ['--repeat', 'fast'],
  /--repeat fast: give a whole number from 1 to 1000, or auto/,
);
test('--repeat 0 is refused', bad, ['--repeat', '0'], /--repeat 0: give a whole number/);
test(
  '--max-repeat belongs to --repeat auto',
  bad,
  ['--repeat', '5', '--max-repeat', '10'],
  /--max-repeat applies to --repeat auto/,
);
test('--budget belongs to --repeat auto', bad, ['--budget', '60'], /--budget applies to --repeat auto/);
test(
  '--max-repeat below the first look is refused',
  bad,
  ['--repeat', 'auto', '--max-repeat', '3'],
  /--max-repeat 3: give a whole number from 5/,
);
test(
  '--budget must be a positive number of seconds',
  bad,
  ['--repeat', 'auto', '--budget', '-5'],
  /--budget -5: give the seconds sampling may take/,
);
test(
  '--max-repeat goes with --baseline without --repeat (which samples as auto does), not alone',
  bad,
  ['--max-repeat', '10'],
  /--max-repeat applies to --repeat auto \(or --baseline without --repeat\)/,
);

const badJobs = test.macro(async (t, jobs: string) => {
  const r = await zonlab('mutants', 'veth-netns', '--jobs', jobs);
  t.is(r.exitCode, 2, r.stderr);
  t.regex(
    r.stderr,
    new RegExp(`--jobs ${jobs === 'many' ? 'is not a number' : jobs}: give a whole number from 1 to 16`),
  );
});
for (const jobs of ['0', '17', '1.5', 'many']) test(`mutants --jobs ${jobs} is refused`, badJobs, jobs);
