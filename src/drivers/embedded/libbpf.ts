import koffi from 'koffi';
import { cFunctions, once } from '../../../lab/c-functions.js';

/**
 * The part of libbpf (Debian's libbpf.so.1, 1.1) zonlab calls, through koffi. Loaded only when the
 * embedded driver is used (the CLI starts without it).
 */
export interface Libbpf {
  openFile(path: string): unknown;
  load(obj: unknown): number;
  close(obj: unknown): void;
  programFd(obj: unknown, name: string): number;
  mapFd(obj: unknown, name: string): number;
  update(fd: number, key: Buffer, value: Buffer): number;
  lookup(fd: number, key: Buffer, value: Buffer): number;
  /** The key after `key` (the first with null); -ENOENT after the last. */
  nextKey(fd: number, key: Buffer | null, next: Buffer): number;
  remove(fd: number, key: Buffer): number;
  /** Before load: the object's map `name` is the map `fd` (a program replaced keeping its maps). */
  reuseMap(obj: unknown, name: string, fd: number): number;
  /** Replaces the tc filter that tcAttachEgress/Ingress made with another program. */
  tcReplace(ifindex: number, progFd: number, ingress: boolean): number;
  xdpAttach(ifindex: number, progFd: number, flags: number): number;
  xdpDetach(ifindex: number, flags: number): number;
  /** A tc egress filter (clsact, direct action) running the program; the clsact qdisc is made if missing. */
  tcAttachEgress(ifindex: number, progFd: number): number;
  tcAttachIngress(ifindex: number, progFd: number): number;
  /** Removes the clsact qdisc of the interface, and with it every tc filter on it. */
  tcDestroy(ifindex: number): number;
  pin(fd: number, path: string): number;
  strerror(err: number): string;
  ifindex(name: string): number;
  /**
   * BPF_PROG_TEST_RUN; `ingressIfindex` is the interface the packet seems to arrive on (an XDP
   * program's context, or with `skb` a tc program's, and a GSO packet's segment size); with `repeat`,
   * the kernel runs it that many times on the same buffer and `durationNs` is the mean.
   */
  testRun(
    progFd: number,
    packet: Buffer,
    out: Buffer | null,
    ingressIfindex?: number,
    repeat?: number,
    skb?: { gsoSize?: number },
  ): { err: number; retval: number; sizeOut: number; durationNs: number };
  /** What libbpf printed (warnings and the verifier log) since the last call. */
  takeLog(): string;
}

export const XDP_FLAGS = { skbMode: 1 << 1, drvMode: 1 << 2, updateIfNoExist: 1 << 0 } as const;

/** struct xdp_md: data, data_end (the packet's size), data_meta, ingress_ifindex, rx_queue_index, egress_ifindex. */
function xdpContext(packet: Buffer, ingressIfindex: number): Buffer {
  const ctx = Buffer.alloc(24);
  ctx.writeUInt32LE(packet.length, 4);
  ctx.writeUInt32LE(ingressIfindex, 12);
  return ctx;
}

/**
 * struct __sk_buff (192 bytes) with the fields BPF_PROG_TEST_RUN takes for a tc program: the link it
 * came in on (ingress_ifindex at 36, and the device, ifindex at 40) and a GSO packet's segment size
 * (gso_segs at 164, gso_size at 176).
 */
function skbContext(ingressIfindex: number, gsoSize = 0): Buffer {
  const ctx = Buffer.alloc(192);
  ctx.writeUInt32LE(ingressIfindex, 36);
  ctx.writeUInt32LE(ingressIfindex, 40);
  if (gsoSize) {
    ctx.writeUInt32LE(2, 164);
    ctx.writeUInt32LE(gsoSize, 176);
  }
  return ctx;
}

export const libbpf = once((): Libbpf => {
  let log = '';
  const PrintFn = koffi.proto('int libbpf_print_fn(int level, const char *fmt, void *ap)');
  const TestRunOpts = koffi.struct('bpf_test_run_opts', {
    sz: 'size_t',
    data_in: 'void *',
    data_out: 'void *',
    data_size_in: 'uint32_t',
    data_size_out: 'uint32_t',
    ctx_in: 'void *',
    ctx_out: 'void *',
    ctx_size_in: 'uint32_t',
    ctx_size_out: 'uint32_t',
    retval: 'uint32_t',
    repeat: 'int',
    duration: 'uint32_t',
    flags: 'uint32_t',
    cpu: 'uint32_t',
    batch_size: 'uint32_t',
  });
  const TcHook = koffi.struct('bpf_tc_hook', {
    sz: 'size_t',
    ifindex: 'int',
    attach_point: 'uint32_t',
    parent: 'uint32_t',
  });
  const TcOpts = koffi.struct('bpf_tc_opts', {
    sz: 'size_t',
    prog_fd: 'int',
    flags: 'uint32_t',
    prog_id: 'uint32_t',
    handle: 'uint32_t',
    priority: 'uint32_t',
  });
  const c = cFunctions('libbpf.so.1', {
    setPrint: 'void *libbpf_set_print(libbpf_print_fn *fn)',
    tcHookCreate: 'int bpf_tc_hook_create(bpf_tc_hook *hook)',
    tcHookDestroy: 'int bpf_tc_hook_destroy(bpf_tc_hook *hook)',
    tcAttach: 'int bpf_tc_attach(bpf_tc_hook *hook, _Inout_ bpf_tc_opts *opts)',
    openFile: 'void *bpf_object__open_file(const char *path, void *opts)',
    load: 'int bpf_object__load(void *obj)',
    close: 'void bpf_object__close(void *obj)',
    findProg: 'void *bpf_object__find_program_by_name(void *obj, const char *name)',
    progFd: 'int bpf_program__fd(void *prog)',
    findMapFd: 'int bpf_object__find_map_fd_by_name(void *obj, const char *name)',
    update: 'int bpf_map_update_elem(int fd, const uint8_t *key, const uint8_t *value, uint64_t flags)',
    lookup: 'int bpf_map_lookup_elem(int fd, const uint8_t *key, _Out_ uint8_t *value)',
    nextKey: 'int bpf_map_get_next_key(int fd, const uint8_t *key, _Out_ uint8_t *next)',
    remove: 'int bpf_map_delete_elem(int fd, const uint8_t *key)',
    findMap: 'void *bpf_object__find_map_by_name(void *obj, const char *name)',
    reuseFd: 'int bpf_map__reuse_fd(void *map, int fd)',
    xdpAttach: 'int bpf_xdp_attach(int ifindex, int prog_fd, uint32_t flags, void *opts)',
    xdpDetach: 'int bpf_xdp_detach(int ifindex, uint32_t flags, void *opts)',
    pin: 'int bpf_obj_pin(int fd, const char *path)',
    strerror: 'int libbpf_strerror(int err, _Out_ uint8_t *buf, size_t size)',
    testRun: 'int bpf_prog_test_run_opts(int prog_fd, _Inout_ bpf_test_run_opts *opts)',
    getError: 'long libbpf_get_error(void *ptr)',
  });
  const libc = cFunctions('libc.so.6', {
    vsnprintf: 'int vsnprintf(_Out_ uint8_t *buf, size_t size, const char *fmt, void *ap)',
    ifNameToIndex: 'unsigned int if_nametoindex(const char *name)',
  });
  // libbpf's print callback gets a va_list: vsnprintf it through libc into a buffer
  const printer = koffi.register((_level: number, fmt: string, ap: unknown) => {
    const buf = Buffer.alloc(4096);
    const n = libc.vsnprintf(buf, buf.length, fmt, ap) as number;
    log += buf.subarray(0, Math.max(0, Math.min(n, buf.length - 1))).toString('utf8');
    return 0;
  }, koffi.pointer(PrintFn));
  c.setPrint(printer);
  const TC_INGRESS = 1;
  const TC_EGRESS = 2;
  const EEXIST = 17;
  const hook = (ifindex: number, attachPoint: number) => ({
    sz: koffi.sizeof(TcHook),
    ifindex,
    attach_point: attachPoint,
    parent: 0,
  });
  const BPF_TC_F_REPLACE = 1;
  const tcAttachAt = (attachPoint: number, ifindex: number, progFd: number, flags = 0): number => {
    const h = hook(ifindex, attachPoint);
    const made = c.tcHookCreate(h) as number;
    if (made && made !== -EEXIST) return made;
    return c.tcAttach(h, {
      sz: koffi.sizeof(TcOpts),
      prog_fd: progFd,
      flags,
      prog_id: 0,
      handle: 1,
      priority: 1,
    }) as number;
  };

  const api: Libbpf = {
    openFile(path) {
      const obj = c.openFile(path, null);
      const err = Number(c.getError(obj));
      if (!obj || err) throw new Error(`libbpf cannot open ${path}: ${api.strerror(err || -2)}`);
      return obj;
    },
    load: (obj) => c.load(obj) as number,
    close: (obj) => c.close(obj),
    programFd(obj, name) {
      const p = c.findProg(obj, name);
      if (!p) return -2;
      return c.progFd(p) as number;
    },
    mapFd: (obj, name) => c.findMapFd(obj, name) as number,
    update: (fd, key, value) => c.update(fd, key, value, 0) as number,
    lookup: (fd, key, value) => c.lookup(fd, key, value) as number,
    nextKey: (fd, key, next) => c.nextKey(fd, key, next) as number,
    remove: (fd, key) => c.remove(fd, key) as number,
    reuseMap(obj, name, fd) {
      const map = c.findMap(obj, name);
      return map ? (c.reuseFd(map, fd) as number) : -2;
    },
    tcReplace: (ifindex, progFd, ingress) =>
      tcAttachAt(ingress ? TC_INGRESS : TC_EGRESS, ifindex, progFd, BPF_TC_F_REPLACE),
    xdpAttach: (ifindex, fd, flags) => c.xdpAttach(ifindex, fd, flags, null) as number,
    xdpDetach: (ifindex, flags) => c.xdpDetach(ifindex, flags, null) as number,
    tcAttachEgress: (ifindex, progFd) => tcAttachAt(TC_EGRESS, ifindex, progFd),
    tcAttachIngress: (ifindex, progFd) => tcAttachAt(TC_INGRESS, ifindex, progFd),
    tcDestroy: (ifindex) => c.tcHookDestroy(hook(ifindex, TC_INGRESS | TC_EGRESS)) as number,
    pin: (fd, path) => c.pin(fd, path) as number,
    strerror(err) {
      const buf = Buffer.alloc(256);
      c.strerror(err, buf, buf.length);
      return buf.subarray(0, buf.indexOf(0)).toString();
    },
    ifindex: (name) => libc.ifNameToIndex(name) as number,
    testRun(fd, packet, out, ingressIfindex, repeat = 1, skb) {
      const ctx =
        ingressIfindex === undefined
          ? null
          : skb
            ? skbContext(ingressIfindex, skb.gsoSize)
            : xdpContext(packet, ingressIfindex);
      const opts = {
        sz: koffi.sizeof(TestRunOpts),
        data_in: packet,
        data_out: out,
        data_size_in: packet.length,
        data_size_out: out?.length ?? 0,
        ctx_in: ctx,
        ctx_out: null,
        ctx_size_in: ctx?.length ?? 0,
        ctx_size_out: 0,
        retval: 0,
        repeat,
        duration: 0,
        flags: 0,
        cpu: 0,
        batch_size: 0,
      };
      const err = c.testRun(fd, opts) as number;
      return { err, retval: opts.retval, sizeOut: opts.data_size_out, durationNs: opts.duration };
    },
    takeLog() {
      const l = log;
      log = '';
      return l;
    },
  };
  return api;
});
