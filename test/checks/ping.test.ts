import test from 'ava';
import { parsePingSummary, pingArgv } from '../../src/checks/ping.js';

test('ping summary', (t) => {
  const out =
    '5 packets transmitted, 4 received, 20% packet loss, time 4005ms\nrtt min/avg/max/mdev = 0.040/0.061/0.089/0.017 ms\n';
  t.deepEqual(parsePingSummary(out), { transmitted: 5, received: 4, avgMs: 0.061 });
  t.is(parsePingSummary('ping: connect: Network is unreachable'), undefined);
});

test('ping runs as the zon-lb READMEs type it', (t) => {
  t.deepEqual(
    pingArgv({
      name: 'p',
      kind: 'ping',
      from: 'zone0',
      to: '10.0.0.1',
      timeoutMs: 1,
      count: 1,
      size: 0,
      expectReceived: 1,
      atLeast: false,
      interface: 'veth1.2',
    }),
    ['ping', '-n', '-c', '1', '-s', '0', '-i', '0.2', '-W', '2', '-I', 'veth1.2', '10.0.0.1'],
  );
});
