import test from 'ava';
import { asIpLine, batchArgv, failedBatchLines } from '../../lab/batch.js';

test('ip commands become batch lines with their namespace', (t) => {
  t.deepEqual(asIpLine({ argv: ['ip', '-n', 'zone1', 'address', 'add', '10.0.0.2/24', 'dev', 'veth1'] }), {
    line: 'address add 10.0.0.2/24 dev veth1',
    netns: 'zone1',
  });
  t.deepEqual(asIpLine({ argv: ['ip', 'link', 'set', 'dev', 'veth0', 'up'] }), {
    line: 'link set dev veth0 up',
    netns: undefined,
  });
  t.deepEqual(batchArgv('zone1'), ['ip', '-n', 'zone1', '-batch', '-']);
});

test('what cannot be a batch line stays a command of its own', (t) => {
  t.is(asIpLine({ argv: ['ethtool', '-K', 'veth0', 'tx', 'off'] }), undefined);
  t.is(
    asIpLine({ argv: ['ip', '-4', 'route', 'add', 'default', 'via', '10.0.0.1'] }),
    undefined,
    'options other than -n',
  );
  t.is(asIpLine({ argv: ['ip', 'link', 'set', 'dev', 'lo', 'alias', 'a b'] }), undefined, 'white space would split');
  t.is(asIpLine({ argv: ['ip', 'link', 'show'], netns: 'zone1' }), undefined, 'ip netns exec wrapping');
});

test('failed batch lines are read with their messages', (t) => {
  const stderr =
    'Error: Nexthop has invalid gateway.\nCommand failed -:3\nCannot find device "x"\nCommand failed -:5\n';
  t.deepEqual(failedBatchLines(stderr), [
    { line: 3, message: 'Error: Nexthop has invalid gateway.' },
    { line: 5, message: 'Cannot find device "x"' },
  ]);
});
