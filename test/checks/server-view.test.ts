import test from 'ava';
import { serverSaw, wrongSource } from '../../src/checks/server-view.js';

test('the server view is said once, and expect_source compares addresses, not spellings', (t) => {
  t.is(serverSaw('10.0.0.2'), 'server saw 10.0.0.2');
  t.is(serverSaw(undefined), 'server saw an unknown address');
  t.is(wrongSource(undefined, '10.0.0.2'), undefined, 'no expectation, nothing to say');
  t.is(wrongSource('2001:db8::1', '2001:db8:0::1'), undefined);
  t.is(wrongSource('10.0.0.1', '10.0.0.2'), 'the server saw the client as 10.0.0.2, expected 10.0.0.1');
  t.is(wrongSource('10.0.0.1', undefined), 'the server saw the client as an unknown address, expected 10.0.0.1');
});
