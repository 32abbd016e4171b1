import test from 'ava';
import { intervalLine, peerFromIperfServer } from '../../src/checks/throughput.js';

test('iperf3 server interval lines give live progress', (t) => {
  t.deepEqual(intervalLine('[  5]   1.00-2.00   sec  2.54 GBytes  21.8 Gbits/sec                  '), {
    from: '1.00',
    to: '2.00',
    rate: '21.8 Gbits/sec',
    omitted: false,
  });
  t.is(intervalLine('[ ID] Interval           Transfer     Bitrate'), undefined);
  // with parallel streams only the SUM line counts
  t.is(intervalLine('[  5]   1.00-2.00   sec  1.2 GBytes  10.1 Gbits/sec', true), undefined);
  t.deepEqual(intervalLine('[SUM]   1.00-2.00   sec  2.4 GBytes  20.2 Gbits/sec', true), {
    from: '1.00',
    to: '2.00',
    rate: '20.2 Gbits/sec',
    omitted: false,
  });
});

test("iperf3 -O: the warm-up's intervals are told apart from the counted ones, which start again at 0 (issue 24)", (t) => {
  // iperf3 3.12's server with --forceflush, -O 1 on the client
  const lines = [
    '[  5]   0.00-1.03   sec  21.5 MBytes   175 Mbits/sec                  (omitted)',
    '[  5]   0.00-1.07   sec  39.8 MBytes   312 Mbits/sec                  ',
    '[SUM]   0.00-1.00   sec  2.4 GBytes  20.2 Gbits/sec                  (omitted)',
  ];
  t.deepEqual(intervalLine(lines[0]!), { from: '0.00', to: '1.03', rate: '175 Mbits/sec', omitted: true });
  t.deepEqual(intervalLine(lines[1]!), { from: '0.00', to: '1.07', rate: '312 Mbits/sec', omitted: false });
  t.true(intervalLine(lines[2]!, true)!.omitted);
  // the server's totals at the end are no interval (they showed as a second 0–2 s)
  t.is(intervalLine('[  5]   0.00-2.28   sec  92.1 MBytes   339 Mbits/sec                  receiver'), undefined);
  t.is(intervalLine('[SUM]   0.00-10.00  sec  24.1 GBytes  20.7 Gbits/sec                  receiver', true), undefined);
});

test('the client as the iperf servers saw it', (t) => {
  t.is(
    peerFromIperfServer(
      '-----------\nServer listening on 223\nAccepted connection from 10.2.0.1, port 40322\n[  5] local 10.2.0.2 port 223 connected to 10.2.0.1 port 40330\n',
    ),
    '10.2.0.1',
  );
  t.is(
    peerFromIperfServer(
      '[  1] local 127.0.0.23 port 223 connected with 10.0.0.2 port 50012 (icwnd/mss/irtt=14/1448/35)\n',
    ),
    '10.0.0.2',
  );
  t.is(
    peerFromIperfServer('[  1] local 2001:db8::2:2 port 223 connected with 2001:db8::2:1 port 50012\n'),
    '2001:db8::2:1',
  );
  t.is(peerFromIperfServer('Server listening on TCP port 223\n'), undefined);
});
