import test from 'ava';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { helpWidth } from '../../src/cli.js';

/**
 * Issue 24: --help broke words in the middle at any width ("te\nar down", "ZON\nLAB_SCENARIOS"):
 * yargs' ES module entry lays its columns out with a wrap that cuts every line at the width. The
 * words of a help page must be the same words at any width: only where lines break may change.
 */
const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

async function help(args: string[], columns: number): Promise<string> {
  const r = await execa(process.execPath, [cli, ...args, '--help'], {
    env: { COLUMNS: String(columns), NO_COLOR: '1' },
  });
  return r.stdout;
}
// cliui may set a right-aligned [type] against the description's last word: that is no cut word
const words = (text: string) => text.replace(/\[/g, ' [').split(/\s+/).filter(Boolean).sort();

for (const args of [[], ['run'], ['results'], ['compare'], ['report'], ['exec'], ['baseline'], ['audit']]) {
  test(`zonlab ${[...args, '--help'].join(' ')}: the same words at 60 and at 110 columns, no line over the width`, async (t) => {
    const narrow = await help(args, 60);
    const wide = await help(args, 110);
    t.deepEqual(words(narrow), words(wide));
    for (const line of narrow.split('\n')) t.true(line.length <= 60, `${line.length} columns: ${line}`);
    t.true(narrow.split('\n').length > wide.split('\n').length, 'the narrow page is wrapped');
  });
}

test('whole words where the issue saw them cut: ZONLAB_SCENARIOS, tear down', async (t) => {
  for (const columns of [60, 67, 80, 110]) {
    const page = await help(['run'], columns);
    t.regex(page, /ZONLAB_SCENARIOS/, `${columns} columns`);
    t.notRegex(page, /\bte\s*\n\s*ar\b|ZON\s*\n/, `${columns} columns`);
  }
});

test('the help width: the terminal, else $COLUMNS, else 100; kept within 60…110', (t) => {
  t.is(helpWidth(80, undefined), 80);
  t.is(helpWidth(undefined, '60'), 60);
  t.is(helpWidth(undefined, undefined), 100);
  t.is(helpWidth(undefined, 'wide'), 100);
  t.is(helpWidth(20, undefined), 60);
  t.is(helpWidth(undefined, '40'), 60);
  t.is(helpWidth(300, undefined), 110);
});
