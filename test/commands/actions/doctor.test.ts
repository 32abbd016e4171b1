import test from 'ava';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { versionLine } from '../../../src/commands/actions/doctor.js';

test("a tool's version line: the line with a version number, never a usage line (issue 24: telnet's usage shown as its version)", (t) => {
  t.is(
    versionLine('telnet (GNU inetutils) 2.4\nCopyright (C) 2022 Free Software Foundation, Inc.\n'),
    'telnet (GNU inetutils) 2.4',
  );
  // netkit's telnet has no version option: it answers with its usage
  t.is(
    versionLine(
      "telnet: unrecognized option '--version'\nUsage: telnet [-4] [-6] [-8] [-E] [-L] [-a] [-d] [-e char] [-l user]\n\t[-n tracefile] [-b addr] [-r] [host-name [port]]\n",
    ),
    undefined,
  );
  t.is(
    versionLine(
      "Usage: telnet [OPTION...] [HOST [PORT]]\nTry `telnet --help' or `telnet --usage' for more information. 2.4\n",
    ),
    undefined,
  );
  t.is(
    versionLine('OpenBSD netcat (Debian patchlevel 1.219-1)\nusage: nc [-46CDdFhklNnrStUuvZz]\n'),
    'OpenBSD netcat (Debian patchlevel 1.219-1)',
  );
  t.is(versionLine('ping from iputils 20221126\n'), 'ping from iputils 20221126');
});

test('zonlab doctor: the telnet row, if telnet is here, is not its usage', async (t) => {
  const cli = fileURLToPath(new URL('../../../src/cli.js', import.meta.url));
  const r = await execa(process.execPath, [cli, 'doctor', '--json'], { env: { NO_COLOR: '1' } });
  const telnet = (JSON.parse(r.stdout) as { tools: { name: string; version?: string }[] }).tools.find(
    (x) => x.name === 'telnet',
  )!;
  t.notRegex(telnet.version ?? '', /usage/i);
});
