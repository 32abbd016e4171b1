import koffi from 'koffi';
import { cFunctions, once } from '../c-functions.js';
import { EX_SOFTWARE } from '../errors.js';

/** rtnetlink sockets made inside a namespace (setns, socket, setns back) stay there: one process configures many namespaces. */
export interface NetlinkSocket {
  /** Sends one request and reads until its ACK or error; returns errno (0) and the kernel's message. */
  request(message: Buffer): NetlinkReply;
  close(): void;
}

export interface NetlinkReply {
  /** 0, or a positive errno. */
  errno: number;
  /** The extended ACK's text, when the kernel gave one ("Nexthop has invalid gateway"). */
  message?: string;
  /** Messages that came before the ACK (the answer to a GET). */
  payload: Buffer[];
}

// socket(2) and setsockopt(2) for a route socket, setns(2) and open(2) to make it in a namespace
const AF_NETLINK = 16,
  SOCK_RAW = 3,
  SOCK_CLOEXEC = 0o2000000,
  NETLINK_ROUTE = 0;
const SOL_NETLINK = 270,
  NETLINK_CAP_ACK = 10,
  NETLINK_EXT_ACK = 11,
  SOL_SOCKET = 1,
  SO_RCVTIMEO = 20;
const CLONE_NEWNET = 0x40000000,
  O_RDONLY = 0,
  O_CLOEXEC = 0o2000000;
// netlink(7): the answers' types and flags, and extended ACK's message attribute
const NLMSG_ERROR = 2,
  NLMSG_DONE = 3,
  NLM_F_CAPPED = 0x100,
  NLM_F_ACK_TLVS = 0x200,
  NLMSGERR_ATTR_MSG = 1;
const RECV_TIMEOUT_S = 10;

interface Libc {
  open(path: string, flags: number): number;
  close(fd: number): number;
  setns(fd: number, nstype: number): number;
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  send(fd: number, buf: Buffer, len: number, flags: number): number;
  recv(fd: number, buf: Buffer, len: number, flags: number): number;
  strerror(errno: number): string;
}

const bind = once((): Libc =>
  cFunctions('libc.so.6', {
    open: 'int open(const char *path, int flags)',
    close: 'int close(int fd)',
    setns: 'int setns(int fd, int nstype)',
    socket: 'int socket(int domain, int type, int protocol)',
    setsockopt: 'int setsockopt(int fd, int level, int name, const uint8_t *value, uint32_t len)',
    send: 'long send(int fd, const uint8_t *buf, size_t len, int flags)',
    recv: 'long recv(int fd, _Out_ uint8_t *buf, size_t len, int flags)',
    strerror: 'const char *strerror(int errnum)',
  }),
);

// bound when the module loads: a machine where koffi or libc cannot be loaded fails the import,
// and the engine falls back to `ip -batch` (lab/apply.ts)
bind();

export function strerror(errno: number): string {
  return bind().strerror(errno);
}

class SyscallError extends Error {
  constructor(
    what: string,
    readonly errno: number,
  ) {
    super(`${what}: ${strerror(errno)}`);
  }
}

/**
 * A socket in the namespace /run/netns/NAME. The calling thread is in that namespace only between
 * two synchronous calls, so nothing else of Node's runs there.
 */
export function openNetlink(netns: string): NetlinkSocket {
  const c = bind();
  let fd: number;
  const home = c.open('/proc/thread-self/ns/net', O_RDONLY | O_CLOEXEC);
  if (home < 0) throw new SyscallError('open /proc/thread-self/ns/net', koffi.errno());
  try {
    const target = c.open(`/run/netns/${netns}`, O_RDONLY | O_CLOEXEC);
    if (target < 0) throw new SyscallError(`open /run/netns/${netns}`, koffi.errno());
    try {
      if (c.setns(target, CLONE_NEWNET) < 0) throw new SyscallError(`setns ${netns}`, koffi.errno());
      fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
      const err = koffi.errno();
      // back home before anything can throw: Node must never go on in the lab's namespace
      if (c.setns(home, CLONE_NEWNET) < 0) {
        const back = koffi.errno();
        process.stderr.write(
          `zonlab: could not return to this process's network namespace (${strerror(back)}); stopping\n`,
        );
        process.exit(EX_SOFTWARE);
      }
      if (fd < 0) throw new SyscallError('socket(AF_NETLINK)', err);
    } finally {
      c.close(target);
    }
  } finally {
    c.close(home);
  }
  const one = Buffer.alloc(4);
  one.writeInt32LE(1);
  // the kernel's own words for an error, and ACKs that do not echo our whole request
  c.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, one, 4);
  c.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, one, 4);
  // the kernel answers at once; a wait this long is a fault to report, not to sit in
  const timeout = Buffer.alloc(16);
  timeout.writeBigInt64LE(BigInt(RECV_TIMEOUT_S), 0);
  c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16);
  return new Socket(c, fd);
}

class Socket implements NetlinkSocket {
  private readonly buf = Buffer.alloc(64 * 1024);
  constructor(
    private readonly c: Libc,
    private fd: number,
  ) {}

  request(message: Buffer): NetlinkReply {
    const seq = message.readUInt32LE(8);
    const sent = this.c.send(this.fd, message, message.length, 0);
    if (sent !== message.length) throw new SyscallError('send(netlink)', koffi.errno());
    const payload: Buffer[] = [];
    for (;;) {
      const n = Number(this.c.recv(this.fd, this.buf, this.buf.length, 0));
      if (n < 0) throw new SyscallError('recv(netlink)', koffi.errno());
      if (n === 0) throw new Error('recv(netlink): the socket was closed');
      for (let off = 0; off + 16 <= n;) {
        const len = this.buf.readUInt32LE(off);
        if (len < 16 || off + len > n) break;
        const type = this.buf.readUInt16LE(off + 4);
        const flags = this.buf.readUInt16LE(off + 6);
        const mseq = this.buf.readUInt32LE(off + 8);
        const body = Buffer.from(this.buf.subarray(off + 16, off + len));
        off += (len + 3) & ~3;
        if (mseq !== seq) continue;
        if (type === NLMSG_ERROR) {
          const errno = -body.readInt32LE(0);
          return {
            errno,
            message: flags & NLM_F_ACK_TLVS ? extAckMessage(body, (flags & NLM_F_CAPPED) !== 0) : undefined,
            payload,
          };
        }
        if (type === NLMSG_DONE) return { errno: 0, payload };
        payload.push(body);
      }
    }
  }

  close(): void {
    if (this.fd >= 0) this.c.close(this.fd);
    this.fd = -1;
  }
}

/** nlmsgerr: error, the request (only its header when capped), then attributes; the text is NLMSGERR_ATTR_MSG. */
function extAckMessage(body: Buffer, capped: boolean): string | undefined {
  if (body.length < 20) return undefined;
  const reqLen = capped ? 16 : (body.readUInt32LE(4) + 3) & ~3;
  for (let off = 4 + reqLen; off + 4 <= body.length;) {
    const len = body.readUInt16LE(off);
    const type = body.readUInt16LE(off + 2);
    if (len < 4) break;
    if (type === NLMSGERR_ATTR_MSG)
      return body
        .subarray(off + 4, off + len)
        .toString('utf8')
        .replace(/\0+$/, '');
    off += (len + 3) & ~3;
  }
  return undefined;
}
