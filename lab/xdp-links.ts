import { cFunctions, once } from './c-functions.js';

const LINK_TYPE_XDP = 6; // enum bpf_link_type, <linux/bpf.h>
const LINK_INFO_SIZE = 48; // struct bpf_link_info: type 0, id 4, prog_id 8, xdp.ifindex 16

export interface XdpLink {
  id: number;
  progId: number;
  ifindex: number;
}

const calls = once(() => {
  const c = cFunctions('libbpf.so.1', {
    nextId: 'int bpf_link_get_next_id(uint32_t start_id, _Out_ uint32_t *next_id)',
    fdById: 'int bpf_link_get_fd_by_id(uint32_t id)',
    infoByFd: 'int bpf_obj_get_info_by_fd(int fd, _Inout_ uint8_t *info, _Inout_ uint32_t *len)',
  });
  const libc = cFunctions('libc.so.6', { close: 'int close(int fd)' });
  return { ...c, close: libc.close };
});

/**
 * Every XDP bpf_link on the machine, in every network namespace: bpf ids are global. zon-lb walks
 * these to find "the program on IF" by interface index alone (info.rs build_prog_info), so an index
 * one of them has is an index a lab's zon-lb interface must not get.
 */
export function xdpLinks(): XdpLink[] {
  const c = calls();
  const out: XdpLink[] = [];
  const next = [0];
  for (let id = 0; (c.nextId(id, next) as number) === 0; id = next[0]!) {
    const fd = c.fdById(next[0]!) as number;
    if (fd < 0) continue; // gone meanwhile
    try {
      const info = Buffer.alloc(LINK_INFO_SIZE);
      if ((c.infoByFd(fd, info, [LINK_INFO_SIZE]) as number) === 0 && info.readUInt32LE(0) === LINK_TYPE_XDP) {
        out.push({ id: info.readUInt32LE(4), progId: info.readUInt32LE(8), ifindex: info.readUInt32LE(16) });
      }
    } finally {
      c.close(fd);
    }
  }
  return out;
}
