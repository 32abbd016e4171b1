import test from 'ava';
import { compareSamples } from '../../src/stats/sequential.js';
import { fingerprintDiff, fingerprintNotes, type Fingerprint } from '../../src/stats/fingerprint.js';

const base = [20.1, 19.8, 20.3, 20.0, 19.9].map((x) => x * 1e9);
const scaled = (k: number) => base.map((x) => x * k);

test('a steady 30% drop is regressed', (t) => {
  const c = compareSamples(base, scaled(0.7));
  t.is(c.verdict, 'regressed');
  t.true(c.ci.high < 0.9);
});

test('a steady 30% gain is improved', (t) => {
  t.is(compareSamples(base, scaled(1.3)).verdict, 'improved');
});

test('the same figures are unchanged', (t) => {
  t.is(compareSamples(base, [...base].reverse()).verdict, 'unchanged');
});

test('a real but small drop (5%) is unchanged at the 10% threshold', (t) => {
  t.is(compareSamples(base, scaled(0.95)).verdict, 'unchanged');
});

test('noise wider than the threshold is inconclusive', (t) => {
  const noisy = [12, 25, 18, 30, 10].map((x) => x * 1e9);
  const c = compareSamples(base, noisy);
  t.is(c.verdict, 'inconclusive');
  t.regex(c.reason, /raise --repeat/);
});

test('fewer than 3 samples a side is inconclusive, whatever the figures (one sample a side judges nothing)', (t) => {
  t.is(compareSamples([20], [14]).verdict, 'inconclusive');
  t.is(compareSamples([20], [19.5]).verdict, 'inconclusive');
  t.is(compareSamples([20, 20], [20, 20, 20]).verdict, 'inconclusive');
  t.regex(compareSamples([20], [20]).reason, /too few/);
});

test('the threshold is a parameter', (t) => {
  t.is(compareSamples(base, scaled(0.85), 0.1).verdict, 'regressed');
  t.is(compareSamples(base, scaled(0.85), 0.2).verdict, 'unchanged');
});

const ns = [160, 165, 158, 162, 170, 161];

test('a cost (lower is better): a rise beyond the threshold is regressed, a fall improved, the same unchanged', (t) => {
  const rise = compareSamples(
    ns,
    ns.map((x) => x * 1.4),
    0.1,
    'lower',
  );
  t.is(rise.verdict, 'regressed');
  t.regex(rise.reason, /^\+40\.0% .*a real rise beyond 10%/);
  t.is(
    compareSamples(
      ns,
      ns.map((x) => x * 0.6),
      0.1,
      'lower',
    ).verdict,
    'improved',
  );
  t.is(compareSamples(ns, [...ns].reverse(), 0.1, 'lower').verdict, 'unchanged');
  t.is(
    compareSamples(
      ns,
      ns.map((x) => x * 1.05),
      0.1,
      'lower',
    ).verdict,
    'unchanged',
    'a 5% rise is within 10%',
  );
  t.is(compareSamples(ns, [100, 400, 150, 300, 120, 260], 0.1, 'lower').verdict, 'inconclusive');
  t.is(
    compareSamples(
      ns,
      ns.map((x) => x * 0.6),
      0.1,
      'higher',
    ).verdict,
    'regressed',
    'the same figures as throughput are a drop',
  );
});

const fp: Fingerprint = {
  kernel: '6.18',
  cpuModel: 'X',
  cpus: 2,
  driver: 'nft',
  driverVersion: '1',
  scenarioHash: 'h',
  offloads: { 'veth0@default tx-checksumming': 'off' },
};

test('fingerprints: equal, and each difference named', (t) => {
  t.deepEqual(fingerprintDiff(fp, { ...fp }), []);
  t.deepEqual(
    fingerprintDiff(fp, { ...fp, driverVersion: 'zon-lb sha256:ab12' }),
    [],
    "the load balancer's version is what a comparison is across, not a difference of conditions",
  );
  t.deepEqual(
    fingerprintDiff(fp, { ...fp, driver: 'embedded', scenarioHash: 'h2', cpus: 4 }).map((x) => x.key),
    ['cpus', 'driver', 'scenarioHash'],
  );
  const d = fingerprintDiff(fp, { ...fp, kernel: '6.19', offloads: { 'veth0@default tx-checksumming': 'on' } });
  t.deepEqual(
    d.map((x) => x.key),
    ['kernel', 'offload veth0@default tx-checksumming'],
  );
  t.is(d[1]!.baseline, 'off');
});

test('fingerprints: the CPU model, the kernel build and the tool versions are shown beside the verdict, never blocking it', (t) => {
  const tools = { iperf3: 'iperf 3.12', iperf: 'iperf version 2.1.8', nft: 'nftables v1.0.6' };
  const other = {
    ...fp,
    cpuModel: 'AMD EPYC 7763',
    kernelVersion: '#2 SMP',
    tools: { ...tools, iperf3: 'iperf 3.16' },
  };
  t.deepEqual(
    fingerprintDiff({ ...fp, kernelVersion: '#1 SMP', tools }, other),
    [],
    'hosted runners differ in CPU model from run to run',
  );
  t.deepEqual(
    fingerprintNotes({ ...fp, kernelVersion: '#1 SMP', tools }, other).map(
      (d) => `${d.key}: ${d.baseline} → ${d.current}`,
    ),
    ['cpuModel: X → AMD EPYC 7763', 'kernelVersion: #1 SMP → #2 SMP', 'iperf3: iperf 3.12 → iperf 3.16'],
  );
  t.deepEqual(
    fingerprintNotes(fp, other).map((d) => d.key),
    ['cpuModel'],
    'an older record without versions differs in nothing it did not record',
  );
});
