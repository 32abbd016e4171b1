import test from 'ava';
import { connectClientArgv, peerFromNcVerbose } from '../../src/checks/connect.js';

test('the address nc -v says the server saw', (t) => {
  t.is(peerFromNcVerbose('Listening on 127.0.0.23 223\nConnection received on 10.0.0.2 45678\n'), '10.0.0.2');
  t.is(peerFromNcVerbose('Connection received on 2001:db8::2:1 40000'), '2001:db8::2:1');
  t.is(peerFromNcVerbose('Listening on 127.0.0.23 223'), undefined);
});

test('telnet runs as the zon-lb READMEs type it (curl when it must leave through a device)', (t) => {
  const server = { name: 'b', netns: 'zone2', address: '2001:db8::2:2', port: 223 };
  t.deepEqual(
    connectClientArgv({
      name: 't',
      kind: 'telnet',
      from: 'zone0',
      to: '2001:db8::1',
      timeoutMs: 1,
      port: 23,
      server,
      proto: 'tcp',
      interface: 'veth1.2',
    }),
    ['curl', '-sS', '--interface', 'veth1.2', 'telnet://[2001:db8::1]:23'],
  );
  t.deepEqual(
    connectClientArgv({
      name: 't',
      kind: 'telnet',
      from: 'zone0',
      to: '10.0.0.1',
      timeoutMs: 1,
      port: 23,
      server,
      proto: 'tcp',
    }),
    ['telnet', '10.0.0.1', '23'],
  );
});
