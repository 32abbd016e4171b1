import test from 'ava';
import { readFileSync } from 'node:fs';
import { parseIperf2 } from '../../src/parsers/iperf2.js';
import { lastJsonObject, parseIperf3, type Iperf3Ok } from '../../src/parsers/iperf3-json.js';

// captured from iperf 3.12 and iperf 2.1.8 on loopback (the *.synthetic.* files are edited copies)
const fixture = (dir: string, name: string) =>
  readFileSync(new URL(`../../../test/fixtures/${dir}/${name}`, import.meta.url), 'utf8');
const ok = (raw: string): Iperf3Ok => {
  const r = parseIperf3(raw);
  if (!r.ok) throw new Error(r.error);
  return r;
};

test('iperf3 TCP: throughput both ways, retransmits, intervals with the omitted one marked', (t) => {
  const r = ok(fixture('iperf3', 'tcp.json'));
  t.is(r.protocol, 'TCP');
  t.is(r.version, 'iperf 3.12');
  t.is(Math.round(r.bitsPerSecondSent), 39679266539);
  t.is(Math.round(r.bitsPerSecondReceived), 39678810219);
  t.is(r.retransmits, 55);
  t.is(r.omit, 1);
  t.deepEqual(
    r.intervals.map((i) => i.omitted),
    [true, false, false],
  );
  t.true(r.cpu!.hostTotal > 0);
  t.is(r.remote!.port, 15201);
});

test('iperf3 reverse and parallel streams', (t) => {
  const rev = ok(fixture('iperf3', 'reverse.json'));
  t.true(rev.reverse);
  t.is(Math.round(rev.bitsPerSecondReceived), 34323571082);
  const par = ok(fixture('iperf3', 'parallel.json'));
  t.is(par.streams, 3);
  t.is(par.perStream.length, 3);
  const sum = par.perStream.reduce((a, s) => a + (s.bitsPerSecondReceived ?? 0), 0);
  t.true(Math.abs(sum - par.bitsPerSecondReceived) / par.bitsPerSecondReceived < 0.01);
});

test('iperf3 UDP: jitter and loss', (t) => {
  const r = ok(fixture('iperf3', 'udp.json'));
  t.is(r.protocol, 'UDP');
  t.is(Math.round(r.bitsPerSecondSent), 100130497);
  t.is(r.udp!.lostPercent, 0);
  t.true(r.udp!.packets > 0);
});

test('iperf3 -J with a connection error exits 0 but is a failure', (t) => {
  t.deepEqual(parseIperf3(fixture('iperf3', 'refused.json')), {
    ok: false,
    error: 'unable to connect to server: Connection refused',
  });
});

test('iperf3: a warning before the JSON, the JSON printed twice, -nan, nothing at all', (t) => {
  t.is(Math.round(ok(fixture('iperf3', 'warning-before.synthetic.txt')).bitsPerSecondReceived), 39678810219);
  t.is(
    Math.round(ok(fixture('iperf3', 'twice.synthetic.txt')).bitsPerSecondReceived),
    39678810219,
    'the last object wins',
  );
  t.is(ok(fixture('iperf3', 'nan.synthetic.txt')).udp!.lostPercent, null);
  t.deepEqual(parseIperf3(''), { ok: false, error: 'iperf3 printed nothing' });
  t.false(parseIperf3('iperf3: error - unable to connect to server').ok);
});

test('braces inside JSON strings do not confuse the object finder', (t) => {
  t.deepEqual(lastJsonObject('noise {"a": "}{", "b": {"c": 1}} tail'), { a: '}{', b: { c: 1 } });
});

test('iperf 2 human output, one stream and parallel (the SUM line)', (t) => {
  const one = parseIperf2(fixture('iperf2', 'iperf2-human.txt'));
  t.deepEqual(one, { ok: true, bitsPerSecond: 31.2e9, transferBytes: 3.69 * 1024 ** 3, seconds: 1.0154, streams: 1 });
  const par = parseIperf2(fixture('iperf2', 'iperf2-parallel.txt'));
  t.true(par.ok && par.bitsPerSecond === 46.4e9 && par.streams === 2);
});

test("iperf 2 in Mbits/sec (-f m, the check's): five digits where its adaptive units give three", (t) => {
  t.deepEqual(parseIperf2(fixture('iperf2', 'iperf2-mbits.txt')), {
    ok: true,
    bitsPerSecond: 21392e6,
    transferBytes: 2590 * 1024 ** 2,
    seconds: 1.0156,
    streams: 1,
  });
});

test('iperf 2 CSV and a refused connection', (t) => {
  t.deepEqual(parseIperf2(fixture('iperf2', 'iperf2-csv.txt')), {
    ok: true,
    bitsPerSecond: 31502141869,
    transferBytes: 3997302844,
    seconds: 1,
    streams: 1,
  });
  const refused = parseIperf2(fixture('iperf2', 'iperf2-refused.txt'));
  t.false(refused.ok);
  t.regex((refused as { error: string }).error, /connect failed: Connection refused/);
});
