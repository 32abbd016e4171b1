import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isRefusal, parseLbSpec, sideLaunch } from '../../../src/session/ab/lb-spec.js';

const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-lbspec-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const obj = path.join(dir, 'head.o');
const bin = path.join(dir, 'zon-lb');
writeFileSync(obj, 'x');
writeFileSync(bin, 'x');

test('the plain drivers', (t) => {
  for (const d of ['nft', 'none', 'embedded'] as const) t.deepEqual(parseLbSpec(d), { spec: d, driver: d });
});

test('embedded:PATH.o is the embedded driver with that build (through ZONLAB_XDP_OBJECT); zon-lb:PATH a binary', (t) => {
  const e = parseLbSpec(`embedded:${obj}`);
  t.false(isRefusal(e));
  t.deepEqual(sideLaunch(e as Exclude<typeof e, { why: string }>), {
    args: ['--lb', 'embedded'],
    env: { ZONLAB_XDP_OBJECT: obj },
  });
  // a side's own parameters go after the ones both take: the last --set of a name wins
  t.deepEqual(sideLaunch({ spec: 'none', driver: 'none', set: ['target=10.2.0.2', 'through=none'] }).args, [
    '--lb',
    'none',
    '--set',
    'target=10.2.0.2',
    '--set',
    'through=none',
  ]);
  const z = parseLbSpec(`zon-lb:${bin}`);
  t.deepEqual(sideLaunch(z as Exclude<typeof z, { why: string }>), {
    args: ['--lb', 'zon-lb', '--zonlb', bin],
    env: {},
  });
});

const refusals: [string, RegExp][] = [
  ['auto', /not a load balancer/],
  ['', /not a load balancer/],
  ['embedded:', /not a load balancer/],
  ['zon-lb', /needs its binary/],
  [`embedded:${path.join(dir, 'missing.o')}`, /is not a file/],
  [`embedded:${bin}`, /not a BPF object/],
  [`embedded:${dir}`, /is not a file/],
  [`zon-lb:${path.join(dir, 'nope')}`, /is not a file/],
  ['xdp:foo.o', /not a load balancer/],
];
for (const [value, why] of refusals) {
  test(`refused: ${JSON.stringify(value)}`, (t) => {
    const r = parseLbSpec(value);
    t.true(isRefusal(r));
    if (isRefusal(r)) {
      t.regex(r.why, why);
      t.true(r.hint.length > 0);
    }
  });
}
