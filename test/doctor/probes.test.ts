import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { probe } from '../../src/doctor/probes.js';

// the state directory is read when a probe asks for it (src/paths.ts): a folder of this test's
const state = mkdtempSync(path.join(tmpdir(), 'zonlab-probes-'));
process.env.ZONLAB_STATE = state;
test.after.always(() => rmSync(state, { recursive: true, force: true }));
const file = path.join(state, `features-${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}.json`);

test('a kernel feature found earlier since this boot is taken as found; one that needs userland too is probed again', async (t) => {
  writeFileSync(file, JSON.stringify(['vlan', 'xdp-native-veth']));
  t.like(await probe('vlan', { remembered: true }), { ok: true, detail: 'found earlier since this boot' });
  t.not(
    (await probe('xdp-native-veth', { remembered: true })).detail,
    'found earlier since this boot',
    'XDP also needs iproute2 and bpf/xdp_pass.o',
  );
});

test('without `remembered` (doctor) the kernel is asked, whatever the file says', async (t) => {
  writeFileSync(file, JSON.stringify(['ip6tnl']));
  t.not((await probe('ip6tnl')).detail, 'found earlier since this boot');
});
