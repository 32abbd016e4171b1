import { readFileSync } from 'node:fs';

/**
 * The structs and map sizes of a BPF object as its BTF (the .BTF section clang writes with -g)
 * describes them: what zonlab's map writes are checked against when the object loads, so that a
 * struct edited in bpf/ cannot silently shift what the TypeScript writes.
 */
export interface BtfStruct {
  size: number;
  /** Byte offset of each member; `nelems` for a member that is an array. */
  members: Record<string, { offset: number; nelems?: number }>;
}

interface BtfType {
  name: string;
  kind: number;
  sizeOrType: number;
  vlen: number;
  kindFlag: boolean;
  extra: Buffer;
}

const BTF_MAGIC = 0xeb9f;
const KIND = { PTR: 2, ARRAY: 3, STRUCT: 4, VAR: 14 } as const;
/** TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG: names for another type. */
const ALIASES = new Set([8, 9, 10, 11, 18]);
/** Bytes after the 12-byte common header, by kind (include/uapi/linux/btf.h). */
function extraBytes(kind: number, vlen: number): number {
  switch (kind) {
    case 1:
    case 14:
    case 17:
      return 4; // INT, VAR, DECL_TAG
    case 3:
      return 12; // ARRAY
    case 4:
    case 5:
    case 15:
    case 19:
      return 12 * vlen; // STRUCT, UNION, DATASEC, ENUM64
    case 6:
    case 13:
      return 8 * vlen; // ENUM, FUNC_PROTO
    default:
      return 0;
  }
}

/** The .BTF section of an ELF64 little-endian object. */
function btfSection(elf: Buffer): Buffer {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1)
    throw new Error('not a 64-bit little-endian ELF object');
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const shstrndx = elf.readUInt16LE(0x3e);
  const section = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      name: elf.readUInt32LE(at),
      offset: Number(elf.readBigUInt64LE(at + 24)),
      size: Number(elf.readBigUInt64LE(at + 32)),
    };
  };
  const names = section(shstrndx);
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    const start = names.offset + s.name;
    if (elf.toString('latin1', start, elf.indexOf(0, start)) === '.BTF')
      return elf.subarray(s.offset, s.offset + s.size);
  }
  throw new Error('no .BTF section (built without -g?)');
}

export class Btf {
  private readonly types: BtfType[] = [
    { name: '', kind: 0, sizeOrType: 0, vlen: 0, kindFlag: false, extra: Buffer.alloc(0) },
  ];
  private readonly str: (off: number) => string;

  constructor(btf: Buffer) {
    if (btf.readUInt16LE(0) !== BTF_MAGIC) throw new Error('the .BTF section has no BTF magic');
    const hdrLen = btf.readUInt32LE(4);
    const typeStart = hdrLen + btf.readUInt32LE(8);
    const typeEnd = typeStart + btf.readUInt32LE(12);
    const strStart = hdrLen + btf.readUInt32LE(16);
    const str = (off: number) => btf.toString('latin1', strStart + off, btf.indexOf(0, strStart + off));
    for (let at = typeStart; at < typeEnd;) {
      const info = btf.readUInt32LE(at + 4);
      const kind = (info >>> 24) & 0x1f;
      const vlen = info & 0xffff;
      const n = extraBytes(kind, vlen);
      this.types.push({
        name: str(btf.readUInt32LE(at)),
        kind,
        sizeOrType: btf.readUInt32LE(at + 8),
        vlen,
        kindFlag: info >>> 31 === 1,
        extra: btf.subarray(at + 12, at + 12 + n),
      });
      at += 12 + n;
    }
    this.str = str;
  }

  static ofObject(path: string): Btf {
    return new Btf(btfSection(readFileSync(path)));
  }

  /** Past typedefs and qualifiers. */
  private resolve(id: number): BtfType {
    let t = this.types[id]!;
    while (ALIASES.has(t.kind)) t = this.types[t.sizeOrType]!;
    return t;
  }

  private members(t: BtfType): { name: string; type: number; offset: number }[] {
    return Array.from({ length: t.vlen }, (_, i) => {
      const raw = t.extra.readUInt32LE(i * 12 + 8);
      return {
        name: this.str(t.extra.readUInt32LE(i * 12)),
        type: t.extra.readUInt32LE(i * 12 + 4),
        offset: (t.kindFlag ? raw & 0xffffff : raw) / 8,
      };
    });
  }

  struct(name: string): BtfStruct | undefined {
    const t = this.types.find((x) => x.kind === KIND.STRUCT && x.name === name);
    if (!t) return undefined;
    const members: BtfStruct['members'] = {};
    for (const m of this.members(t)) {
      const mt = this.resolve(m.type);
      members[m.name] =
        mt.kind === KIND.ARRAY ? { offset: m.offset, nelems: mt.extra.readUInt32LE(8) } : { offset: m.offset };
    }
    return { size: t.sizeOrType, members };
  }

  /** A libbpf map definition's max_entries (`__uint(max_entries, N)` is a pointer to an array of N). */
  maxEntries(map: string): number | undefined {
    const v = this.types.find((x) => x.kind === KIND.VAR && x.name === map);
    if (!v) return undefined;
    const def = this.resolve(v.sizeOrType);
    const m = this.members(def).find((x) => x.name === 'max_entries');
    if (!m) return undefined;
    const ptr = this.resolve(m.type);
    const arr = ptr.kind === KIND.PTR ? this.resolve(ptr.sizeOrType) : undefined;
    return arr?.kind === KIND.ARRAY ? arr.extra.readUInt32LE(8) : undefined;
  }
}
