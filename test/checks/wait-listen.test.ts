import test from 'ava';
import { listensOn, splitSocket } from '../../src/checks/wait-listen.js';

test('ss listening sockets, IPv4 and IPv6, any spelling', (t) => {
  const ss = 'LISTEN 0 1 127.0.0.23:223 0.0.0.0:*\nLISTEN 0 5 [2001:db8::2:2]:223 [::]:*\n';
  t.true(listensOn(ss, '127.0.0.23', 223));
  t.false(listensOn(ss, '127.0.0.23', 224));
  t.true(listensOn(ss, '2001:db8:0:0:0:0:2:2', 223));
  t.deepEqual(splitSocket('[::1]:80'), { address: '::1', port: 80 });
  t.deepEqual(splitSocket('*:5201'), { address: '*', port: 5201 });
});
