import test from 'ava';
import { intervalLine } from '../../src/checks/throughput.js';
import { listensOn, splitSocket } from '../../src/checks/wait-listen.js';
import { parsePingSummary } from '../../src/checks/ping.js';
import { peerFromNcVerbose } from '../../src/checks/connect.js';

test('iperf3 server interval lines give live progress', (t) => {
  t.deepEqual(intervalLine('[  5]   1.00-2.00   sec  2.54 GBytes  21.8 Gbits/sec                  '), { from: '1.00', to: '2.00', rate: '21.8 Gbits/sec' });
  t.is(intervalLine('[ ID] Interval           Transfer     Bitrate'), undefined);
  // with parallel streams only the SUM line counts
  t.is(intervalLine('[  5]   1.00-2.00   sec  1.2 GBytes  10.1 Gbits/sec', true), undefined);
  t.deepEqual(intervalLine('[SUM]   1.00-2.00   sec  2.4 GBytes  20.2 Gbits/sec', true), { from: '1.00', to: '2.00', rate: '20.2 Gbits/sec' });
});

test('ss listening sockets, IPv4 and IPv6, any spelling', (t) => {
  const ss = 'LISTEN 0 1 127.0.0.23:223 0.0.0.0:*\nLISTEN 0 5 [2001:db8::2:2]:223 [::]:*\n';
  t.true(listensOn(ss, '127.0.0.23', 223));
  t.false(listensOn(ss, '127.0.0.23', 224));
  t.true(listensOn(ss, '2001:db8:0:0:0:0:2:2', 223));
  t.deepEqual(splitSocket('[::1]:80'), { address: '::1', port: 80 });
  t.deepEqual(splitSocket('*:5201'), { address: '*', port: 5201 });
});

test('ping summary', (t) => {
  const out = '5 packets transmitted, 4 received, 20% packet loss, time 4005ms\nrtt min/avg/max/mdev = 0.040/0.061/0.089/0.017 ms\n';
  t.deepEqual(parsePingSummary(out), { transmitted: 5, received: 4, avgMs: 0.061 });
  t.is(parsePingSummary('ping: connect: Network is unreachable'), undefined);
});

test('the address nc -v says the server saw', (t) => {
  t.is(peerFromNcVerbose('Listening on 127.0.0.23 223\nConnection received on 10.0.0.2 45678\n'), '10.0.0.2');
  t.is(peerFromNcVerbose('Connection received on 2001:db8::2:1 40000'), '2001:db8::2:1');
  t.is(peerFromNcVerbose('Listening on 127.0.0.23 223'), undefined);
});

test('the clients run as the zon-lb READMEs type them', async (t) => {
  const { pingArgv } = await import('../../src/checks/ping.js');
  const { connectClientArgv } = await import('../../src/checks/connect.js');
  const server = { name: 'b', netns: 'zone2', address: '2001:db8::2:2', port: 223 };
  t.deepEqual(pingArgv({ name: 'p', kind: 'ping', from: 'zone0', to: '10.0.0.1', timeoutMs: 1, count: 1, size: 0, expectReceived: 1, atLeast: false, interface: 'veth1.2' }),
    ['ping', '-n', '-c', '1', '-s', '0', '-i', '0.2', '-W', '2', '-I', 'veth1.2', '10.0.0.1']);
  t.deepEqual(connectClientArgv({ name: 't', kind: 'telnet', from: 'zone0', to: '2001:db8::1', timeoutMs: 1, port: 23, server, proto: 'tcp', interface: 'veth1.2' }),
    ['curl', '-sS', '--interface', 'veth1.2', 'telnet://[2001:db8::1]:23']);
  t.deepEqual(connectClientArgv({ name: 't', kind: 'telnet', from: 'zone0', to: '10.0.0.1', timeoutMs: 1, port: 23, server, proto: 'tcp' }), ['telnet', '10.0.0.1', '23']);
});

test('the client as the iperf servers saw it', async (t) => {
  const { peerFromIperfServer } = await import('../../src/checks/throughput.js');
  t.is(peerFromIperfServer('-----------\nServer listening on 223\nAccepted connection from 10.2.0.1, port 40322\n[  5] local 10.2.0.2 port 223 connected to 10.2.0.1 port 40330\n'), '10.2.0.1');
  t.is(peerFromIperfServer('[  1] local 127.0.0.23 port 223 connected with 10.0.0.2 port 50012 (icwnd/mss/irtt=14/1448/35)\n'), '10.0.0.2');
  t.is(peerFromIperfServer('[  1] local 2001:db8::2:2 port 223 connected with 2001:db8::2:1 port 50012\n'), '2001:db8::2:1');
  t.is(peerFromIperfServer('Server listening on TCP port 223\n'), undefined);
});
