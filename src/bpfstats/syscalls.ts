import koffi from 'koffi';
import { parseProgInfo, PROG_INFO_SIZE, type ProgInfo } from './prog-info.js';

/**
 * The bpf(2) calls the cost measurement needs, through libbpf.so.1 (1.1) with koffi. libbpf's
 * low-level calls return -errno.
 */
export interface BpfStatsCalls {
  /** BPF_ENABLE_STATS: on while the fd is open; the kernel counts fds, so runs never turn each other's off (never the global sysctl). */
  enableRunTimeStats(): number;
  progFdById(id: number): number;
  progInfo(fd: number): ProgInfo;
  /** The names of the programs in an object file, without loading it. */
  programNames(objectFile: string): string[];
  close(fd: number): void;
}

const BPF_STATS_RUN_TIME = 0;

let cached: BpfStatsCalls | undefined;

export function bpfStatsCalls(): BpfStatsCalls {
  if (cached) return cached;
  const lib = koffi.load('libbpf.so.1');
  const libc = koffi.load('libc.so.6');
  const enableStats = lib.func('int bpf_enable_stats(int type)');
  const getFdById = lib.func('int bpf_prog_get_fd_by_id(uint32_t id)');
  const getInfo = lib.func('int bpf_obj_get_info_by_fd(int fd, _Inout_ uint8_t *info, _Inout_ uint32_t *len)');
  const openFile = lib.func('void *bpf_object__open_file(const char *path, void *opts)');
  const nextProgram = lib.func('void *bpf_object__next_program(void *obj, void *prev)');
  const programName = lib.func('const char *bpf_program__name(void *prog)');
  const closeObject = lib.func('void bpf_object__close(void *obj)');
  const getError = lib.func('long libbpf_get_error(void *ptr)');
  const strerror = libc.func('const char *strerror(int errnum)');
  const closeFd = libc.func('int close(int fd)');
  const fail = (what: string, err: number) => new Error(`${what}: ${strerror(-err) as string}`);
  cached = {
    enableRunTimeStats() {
      const fd = enableStats(BPF_STATS_RUN_TIME) as number;
      if (fd < 0) throw fail('BPF_ENABLE_STATS', fd);
      return fd;
    },
    progFdById(id) {
      const fd = getFdById(id) as number;
      if (fd < 0) throw fail(`BPF_PROG_GET_FD_BY_ID ${id}`, fd);
      return fd;
    },
    progInfo(fd) {
      const info = Buffer.alloc(PROG_INFO_SIZE);
      const len = [PROG_INFO_SIZE];
      const err = getInfo(fd, info, len) as number;
      if (err < 0) throw fail('BPF_OBJ_GET_INFO_BY_FD', err);
      return parseProgInfo(info);
    },
    programNames(objectFile) {
      const obj = openFile(objectFile, null);
      const err = Number(getError(obj));
      if (!obj || err) throw fail(`libbpf cannot open ${objectFile}`, err || -2);
      try {
        const names: string[] = [];
        for (let p = nextProgram(obj, null); p; p = nextProgram(obj, p)) names.push(programName(p) as string);
        return names;
      } finally {
        closeObject(obj);
      }
    },
    close: (fd) => { closeFd(fd); },
  };
  return cached;
}
