import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The kernel keeps 15 characters of a BPF program's or map's name (BPF_OBJ_NAME_LEN is 16 with
 * the NUL): bpftool, tc and `ip link` showed "zonlb_tc_ingres" (issue 24). Every program and map in
 * bpf/ has a name the kernel shows whole.
 */
const bpf = new URL('../../../../bpf/', import.meta.url);

test('every program and map name in bpf/*.c and bpf/*.h has 15 characters or fewer', (t) => {
  const names: string[] = [];
  for (const file of readdirSync(bpf).filter((f) => /\.[ch]$/.test(f))) {
    const c = readFileSync(new URL(file, bpf), 'utf8');
    for (const m of c.matchAll(/SEC\("(?:xdp|tc)[^"]*"\)\s*\n\s*int\s+(\w+)\s*\(/g)) names.push(m[1]!);
    for (const m of c.matchAll(/}\s*(\w+)\s+SEC\("\.maps"\)/g)) names.push(m[1]!);
  }
  t.true(names.includes('zonlb_xdp') && names.includes('services'), `found: ${names.join(', ')}`);
  t.deepEqual(
    names.filter((n) => n.length > 15),
    [],
  );
});
