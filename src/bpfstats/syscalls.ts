import { cFunctions, once } from '../../lab/c-functions.js';
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

export const bpfStatsCalls = once((): BpfStatsCalls => {
  const c = cFunctions('libbpf.so.1', {
    enableStats: 'int bpf_enable_stats(int type)',
    getFdById: 'int bpf_prog_get_fd_by_id(uint32_t id)',
    getInfo: 'int bpf_obj_get_info_by_fd(int fd, _Inout_ uint8_t *info, _Inout_ uint32_t *len)',
    openFile: 'void *bpf_object__open_file(const char *path, void *opts)',
    nextProgram: 'void *bpf_object__next_program(void *obj, void *prev)',
    programName: 'const char *bpf_program__name(void *prog)',
    closeObject: 'void bpf_object__close(void *obj)',
    getError: 'long libbpf_get_error(void *ptr)',
  });
  const libc = cFunctions('libc.so.6', { strerror: 'const char *strerror(int errnum)', close: 'int close(int fd)' });
  const fail = (what: string, err: number) => new Error(`${what}: ${libc.strerror(-err) as string}`);
  return {
    enableRunTimeStats() {
      const fd = c.enableStats(BPF_STATS_RUN_TIME) as number;
      if (fd < 0) throw fail('BPF_ENABLE_STATS', fd);
      return fd;
    },
    progFdById(id) {
      const fd = c.getFdById(id) as number;
      if (fd < 0) throw fail(`BPF_PROG_GET_FD_BY_ID ${id}`, fd);
      return fd;
    },
    progInfo(fd) {
      const info = Buffer.alloc(PROG_INFO_SIZE);
      const len = [PROG_INFO_SIZE];
      const err = c.getInfo(fd, info, len) as number;
      if (err < 0) throw fail('BPF_OBJ_GET_INFO_BY_FD', err);
      return parseProgInfo(info);
    },
    programNames(objectFile) {
      const obj = c.openFile(objectFile, null);
      const err = Number(c.getError(obj));
      if (!obj || err) throw fail(`libbpf cannot open ${objectFile}`, err || -2);
      try {
        const names: string[] = [];
        for (let p = c.nextProgram(obj, null); p; p = c.nextProgram(obj, p)) names.push(c.programName(p) as string);
        return names;
      } finally {
        c.closeObject(obj);
      }
    },
    close: (fd) => {
      libc.close(fd);
    },
  };
});
