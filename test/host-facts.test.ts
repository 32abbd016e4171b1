import test from 'ava';
import os from 'node:os';
import { findOnPath, hostFacts, toolVersions } from '../src/host-facts.js';

test('host facts carry the kernel build (uname -v) beside its release', (t) => {
  const h = hostFacts();
  t.is(h.kernel, os.release());
  t.is(h.kernelVersion, os.version());
});

test('tool versions: one line each, "not installed" when absent, asked once per process', async (t) => {
  const v = await toolVersions();
  t.deepEqual(Object.keys(v).sort(), ['iperf', 'iperf3', 'nft']);
  for (const [name, line] of Object.entries(v)) {
    t.true(line.length > 0 && !line.includes('\n'), `${name}: ${line}`);
    if (!findOnPath(name)) t.is(line, 'not installed');
  }
  if (findOnPath('iperf3')) t.regex(v.iperf3, /^iperf 3\./);
  if (findOnPath('nft')) t.regex(v.nft, /^nftables v\d/);
  if (findOnPath('iperf')) t.regex(v.iperf, /^iperf version 2\./, 'iperf 2 says it on stderr, exiting 1');
  t.is(toolVersions(), toolVersions());
});
