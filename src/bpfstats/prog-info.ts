/**
 * struct bpf_prog_info (include/uapi/linux/bpf.h), the fields zonlab reads. Offsets checked against
 * Debian 12's header with offsetof(); the kernel fills only what it knows and the size it is given.
 */
export const PROG_INFO_SIZE = 232;
/** Byte offsets of the fields read (test/bpfstats/cost.test.ts checks them against the kernel's BTF and the uapi header). */
export const PROG_INFO_OFFSETS = {
  type: 0,
  id: 4,
  tag: 8,
  jitedLen: 16,
  xlatedLen: 20,
  name: 64,
  runTimeNs: 192,
  runCnt: 200,
  verifiedInsns: 216,
} as const;
const OFF = PROG_INFO_OFFSETS;
const BPF_INSN_SIZE = 8;
const OBJ_NAME_LEN = 16;
export const BPF_PROG_TYPE_SCHED_CLS = 3;
export const BPF_PROG_TYPE_XDP = 6;

export interface ProgInfo {
  type: number;
  id: number;
  name: string;
  /** The kernel's hash of the program's instructions: the same code gives the same tag. */
  tag: string;
  jitedBytes: number;
  xlatedInsns: number;
  verifiedInsns: number;
  /** Counted only while BPF run-time statistics are on. */
  runTimeNs: bigint;
  runCnt: bigint;
}

export function parseProgInfo(buf: Buffer): ProgInfo {
  if (buf.length < PROG_INFO_SIZE) throw new Error(`bpf_prog_info: ${buf.length} bytes, need ${PROG_INFO_SIZE}`);
  const name = buf.subarray(OFF.name, OFF.name + OBJ_NAME_LEN);
  const end = name.indexOf(0);
  return {
    type: buf.readUInt32LE(OFF.type),
    id: buf.readUInt32LE(OFF.id),
    name: name.subarray(0, end < 0 ? OBJ_NAME_LEN : end).toString('utf8'),
    tag: buf.subarray(OFF.tag, OFF.tag + 8).toString('hex'),
    jitedBytes: buf.readUInt32LE(OFF.jitedLen),
    xlatedInsns: buf.readUInt32LE(OFF.xlatedLen) / BPF_INSN_SIZE,
    verifiedInsns: buf.readUInt32LE(OFF.verifiedInsns),
    runTimeNs: buf.readBigUInt64LE(OFF.runTimeNs),
    runCnt: buf.readBigUInt64LE(OFF.runCnt),
  };
}

/** Test fixtures and a check of the layout: the inverse of parseProgInfo. */
export function encodeProgInfo(p: ProgInfo): Buffer {
  const buf = Buffer.alloc(PROG_INFO_SIZE);
  buf.writeUInt32LE(p.type, OFF.type);
  buf.writeUInt32LE(p.id, OFF.id);
  Buffer.from(p.tag, 'hex').copy(buf, OFF.tag);
  buf.writeUInt32LE(p.jitedBytes, OFF.jitedLen);
  buf.writeUInt32LE(p.xlatedInsns * BPF_INSN_SIZE, OFF.xlatedLen);
  Buffer.from(p.name.slice(0, OBJ_NAME_LEN - 1)).copy(buf, OFF.name);
  buf.writeUInt32LE(p.verifiedInsns, OFF.verifiedInsns);
  buf.writeBigUInt64LE(p.runTimeNs, OFF.runTimeNs);
  buf.writeBigUInt64LE(p.runCnt, OFF.runCnt);
  return buf;
}
