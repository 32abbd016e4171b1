import test from 'ava';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zonlbBinaryDriver } from '../../src/drivers/zonlb-binary.js';
import { addressedProgram, parseInfo, wrongPrograms } from '../../src/drivers/zonlb-programs.js';
import type { ZonlbConfig } from '../../src/zonlb/config.js';

/**
 * Issue 22: zon-lb finds "the program on IF" by interface index across the whole machine and takes
 * the lowest program id (info.rs build_prog_info, helpers.rs get_program_info_by_ifname). A sandbox's
 * veth0 may have the index of another zon-lb's interface: the run must read its own program or fail.
 */
const block = (id: number, ifname: string) =>
  `\r\nprogram_id: ${id}\ntag: 1a2b\nloaded_at: 10:00:00 01-01-2026\nifname: ${ifname}\npin: /sys/fs/bpf/zlb_${ifname}\nversion: 1\n`;
const INFO = `${block(9, 'veth0')}${block(5, 'veth0')}${block(12, 'veth2')}`;

test('the program zon-lb addresses for IF is the lowest id shown with that name', (t) => {
  const blocks = parseInfo(INFO);
  t.is(addressedProgram(blocks, 'veth0'), 5);
  t.is(addressedProgram(blocks, 'veth2'), 12);
  t.is(addressedProgram(blocks, 'veth9'), undefined);
});

test('a mismatch names both programs, the interface and its index; a match says nothing', (t) => {
  const blocks = parseInfo(INFO);
  t.deepEqual(wrongPrograms(blocks, { veth0: { ifindex: 2, programId: 5 }, veth2: { ifindex: 3, programId: 12 } }), []);
  const [why] = wrongPrograms(blocks, { veth0: { ifindex: 2, programId: 9 } });
  t.regex(
    why!,
    /zon-lb addresses program 5 as the one on veth0 \(interface index 2\), but the lab's veth0 carries program 9/,
  );
});

/** A zon-lb that loads without a word and whose info lists another namespace's program on veth0's index. */
const FAKE = (info: string) =>
  `#!${process.execPath}\nif (process.argv[2] === 'info') process.stdout.write(${JSON.stringify(info)});\n`;

for (const [own, fails] of [
  [9, true],
  [5, false],
] as const) {
  test(`load: the lab's veth0 carries program ${own}, zon-lb addresses 5: ${fails ? 'the run fails naming both' : 'loaded'}`, async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-zonlb-progs-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const bin = path.join(dir, 'zon-lb');
    writeFileSync(bin, FAKE(`${block(own, 'veth0')}${block(5, 'veth0')}`));
    chmodSync(bin, 0o755);
    writeFileSync(path.join(dir, 'zlb_veth0'), '');
    const logs: string[] = [];
    const driver = zonlbBinaryDriver({
      path: bin,
      bpffs: dir,
      readLink: async () => ({ ifindex: 300, programId: own }),
    });
    const config = { text: '', interfaces: ['veth0'], services: [] } as unknown as ZonlbConfig;
    const load = driver.load({ config, runId: 'x', workDir: dir, log: (l) => logs.push(l) });
    if (fails)
      t.regex(
        (await t.throwsAsync(load))!.message,
        /addresses program 5 as the one on veth0 \(interface index 300\), but the lab's veth0 carries program 9/,
      );
    else t.truthy(await load);
    t.regex(
      logs.join('\n'),
      /veth0 has interface index 300; zon-lb's devmap of ports holds indexes below 256/,
      'said before the load',
    );
  });
}
