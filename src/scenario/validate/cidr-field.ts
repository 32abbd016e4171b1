import type { Fields } from '../fields.js';
import { parseCidr, type Cidr } from '../../../lab/net.js';

export function cidrField(f: Fields, key: string, required: boolean): Cidr | undefined {
  const s = f.string(key, { required });
  if (s === undefined) return undefined;
  const c = parseCidr(s);
  if (!c)
    f.problem(
      key,
      `${JSON.stringify(s)} is not an address with a prefix`,
      'for example "127.0.0.23/24" or "2001:db8::1/128"',
    );
  return c;
}

/** An addresses list: undefined when one of them is not an address with a prefix (each reported). */
export function cidrList(f: Fields, key = 'addresses'): Cidr[] | undefined {
  const all = f.stringList(key).map((a, i) => {
    const c = parseCidr(a);
    if (!c)
      f.problem(
        `${key}[${i}]`,
        `${JSON.stringify(a)} is not an address with a prefix`,
        'for example "10.0.0.1/24" or "2001:db8::1/120"',
      );
    return c;
  });
  return all.every((c) => c) ? (all as Cidr[]) : undefined;
}
