import test from 'ava';
import { execa } from 'execa';
import { readlinkSync } from 'node:fs';
import { openNetlink, strerror } from '../../../lab/netlink/socket.js';
import { rootGated } from '../../helpers/gated.js';

/**
 * The netlink socket made inside a namespace: errors in the kernel's words, and the calling thread
 * always back in its own namespace. The requests go to a throwaway namespace (nothing of the machine's).
 */
const home = () => readlinkSync('/proc/thread-self/ns/net');

test("errno in libc's words", (t) => {
  t.is(strerror(2), 'No such file or directory');
  t.is(strerror(19), 'No such device');
});

test('a namespace that does not exist: the open is refused in its words, and the thread has not moved', (t) => {
  const before = home();
  t.throws(() => openNetlink(`zonlab-none-${process.pid}`), {
    message: `open /run/netns/zonlab-none-${process.pid}: No such file or directory`,
  });
  t.is(home(), before);
});

// a throwaway network and mount namespace of its own, its network namespace named "lab" in its own /run/netns
const WRAP = [
  '--net',
  '--mount',
  '--propagation',
  'private',
  '--fork',
  '--kill-child',
  '--',
  'bash',
  '-c',
  'mount -t tmpfs t /run && mkdir /run/netns && touch /run/netns/lab && mount --bind /proc/self/ns/net /run/netns/lab && unshare --net "$@"',
  'wrap',
];
const socketModule = new URL('../../../lab/netlink/socket.js', import.meta.url).href;
const messagesModule = new URL('../../../lab/netlink/messages.js', import.meta.url).href;
// run from a further namespace, so that the thread's move to "lab" and back can be seen
const INNER = `
import { readlinkSync, statSync } from 'node:fs';
const { openNetlink } = await import(${JSON.stringify(socketModule)});
const { getLink, indexOfLinkReply } = await import(${JSON.stringify(messagesModule)});
const home = () => readlinkSync('/proc/thread-self/ns/net');
const before = home();
const socket = openNetlink('lab');
const lo = socket.request(getLink('lo', 7));
const none = socket.request(getLink('zl-none0', 8));
socket.close();
console.log(JSON.stringify({ home: home() === before, lab: statSync('/run/netns/lab').ino !== statSync('/proc/thread-self/ns/net').ino, lo: { errno: lo.errno, payloads: lo.payload.length, index: indexOfLinkReply(lo.payload[0]) }, none: { errno: none.errno, payloads: none.payload.length } }));
`;

const { integration, title } = rootGated();
integration(
  title('a request gets its answer (lo is index 1) or its errno (no such device), and the thread comes back home'),
  async (t) => {
    const r = await execa('unshare', [...WRAP, process.execPath, '--input-type=module', '-e', INNER], {
      reject: false,
    });
    t.is(r.exitCode, 0, r.stderr);
    t.deepEqual(JSON.parse(r.stdout), {
      home: true,
      lab: true,
      lo: { errno: 0, payloads: 1, index: 1 },
      none: { errno: 19, payloads: 0 },
    });
  },
);
