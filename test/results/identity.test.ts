import test from 'ava';
import { describeIdentity, identityLines, identityOf, sameIdentity } from '../../src/results/identity.js';

const program = { name: 'zonlb_xdp', tag: '0123abcd', jitedBytes: 1234, xlatedInsns: 456, id: 9, runNs: 80 };
const run = (version: string, programs = [program]) => ({ driver: { name: 'embedded', version }, lbCost: { programs } } as never);

test('the identity keeps the driver, its version and what identifies each program, not its run-time figures', (t) => {
  t.deepEqual(identityOf(run('v1')), { driver: 'embedded', version: 'v1', programs: [{ name: 'zonlb_xdp', tag: '0123abcd', jitedBytes: 1234, xlatedInsns: 456 }] });
  t.deepEqual(identityOf({ driver: { name: 'nft', version: '1.0' } } as never).programs, [], 'no programs: nft');
  t.is(describeIdentity(identityOf(run('v1'))), 'embedded v1 · zonlb_xdp tag 0123abcd, 1234 B jited, 456 insns');
});

test('two sides are the same only when driver, version and every program agree', (t) => {
  const a = identityOf(run('v1'));
  t.true(sameIdentity(a, identityOf(run('v1', [{ ...program, id: 10, runNs: 99 }]))), 'another load of the same program');
  t.false(sameIdentity(a, identityOf(run('v2'))));
  t.false(sameIdentity(a, identityOf(run('v1', [{ ...program, tag: 'ffff' }]))));
  t.false(sameIdentity(a, identityOf(run('v1', [program, program]))));
});

test('beside a comparison: one line when the same, one per side when not', (t) => {
  const a = identityOf(run('v1'));
  const b = identityOf(run('v2'));
  t.deepEqual(identityLines({ baseline: a, current: a, same: true }), [`load balancer: ${describeIdentity(a)} (the same on both sides)`]);
  t.deepEqual(identityLines({ baseline: a, current: b, same: false }), [`load balancer, baseline: ${describeIdentity(a)}`, `load balancer, current:  ${describeIdentity(b)}`]);
});
