import { isIP } from 'node:net';

/** An endpoint's `options` as zon-lb reads them: flags and key=value, case-insensitive; what zon-lb does not know is kept in `unknown`. */
export const FLAGS = ['disable', 'tx', 'dsr_l2', 'dsr_l3', 'no_nat', 'redirect', 'ipv4', 'ipv6'] as const;
export type Flag = (typeof FLAGS)[number];
/** Words zon-lb keeps as properties without a value ("for some commands"). */
const VALUELESS = ['replace', 'all'] as const;
export const KEYS = [
  'redirect',
  'src_ip',
  'alt_addr',
  'ip',
  'ipmask',
  'log_filter',
  'mac',
  'if_mac',
  'vlan',
  'port',
  'if',
  ...VALUELESS,
] as const;
export type Key = (typeof KEYS)[number];
const ALIASES: Record<string, Flag> = { no_conntrack: 'no_nat', no_ct: 'no_nat' };

export interface EndpointOptions {
  /** As written in the file. */
  raw: string[];
  flags: Flag[];
  /** Lower-cased keys, values as written ('' for replace/all). */
  props: Partial<Record<Key, string>>;
  /** Flags and keys zon-lb does not know, as written. */
  unknown: string[];
  redirect: boolean;
  tx: boolean;
  dsrL2: boolean;
  dsrL3: boolean;
  srcIp?: string;
  altAddr?: string;
}

/** A value zon-lb refuses with an ERROR (an address that is not one, a MAC that is not unicast). */
export interface OptionProblem {
  option: string;
  message: string;
}

/** Interfaces an option names (`redirect=IF`, `if=IF`): zon-lb looks them up, so the lab must have them. */
export function namedInterfaces(o: EndpointOptions): { option: string; ifname: string }[] {
  return (['redirect', 'if'] as const)
    .filter((k) => o.props[k] !== undefined && ifIndexOf(o.props[k]!) === undefined)
    .map((k) => ({ option: `${k}=${o.props[k]}`, ifname: o.props[k]! }));
}

/** helpers.rs ifindex: `if#N` (N a u32) is interface index N, looked up by no name. */
export function ifIndexOf(value: string): number | undefined {
  const m = /^if#(\+?\d+)$/.exec(value);
  return m && Number(m[1]) <= 0xffffffff ? Number(m[1]) : undefined;
}

/** The flag a word sets (no_ct and no_conntrack set no_nat), case-insensitive. */
export function flagOf(word: string): Flag | undefined {
  const w = word.toLowerCase();
  return ALIASES[w] ?? ((FLAGS as readonly string[]).includes(w) ? (w as Flag) : undefined);
}

export function parseOptions(raw: string[]): { options: EndpointOptions; problems: OptionProblem[] } {
  const flags = new Set<Flag>();
  const props: Partial<Record<Key, string>> = {};
  const unknown: string[] = [];
  const problems: OptionProblem[] = [];
  for (const arg of raw) {
    const eq = arg.indexOf('=');
    if (eq < 0) {
      const word = arg.toLowerCase();
      const flag = flagOf(word);
      if (flag) flags.add(flag);
      else if ((VALUELESS as readonly string[]).includes(word)) props[word as Key] = '';
      else unknown.push(arg);
      continue;
    }
    const key = arg.slice(0, eq).toLowerCase();
    const value = arg.slice(eq + 1);
    const why = valueProblem(key, value);
    if (why === 'unknown') unknown.push(arg);
    else if (why) problems.push({ option: arg, message: why });
    else {
      props[key as Key] = value;
      if (key === 'redirect') flags.add('redirect');
    }
  }
  const flagList = FLAGS.filter((f) => flags.has(f));
  return {
    options: {
      raw,
      flags: flagList,
      props,
      unknown,
      redirect: flags.has('redirect'),
      tx: flags.has('tx'),
      dsrL2: flags.has('dsr_l2'),
      dsrL3: flags.has('dsr_l3'),
      srcIp: props.src_ip,
      altAddr: props.alt_addr,
    },
    problems,
  };
}

/** Why zon-lb would refuse this value (its own checks), 'unknown' for a key it does not know. */
function valueProblem(key: string, value: string): string | 'unknown' | undefined {
  switch (key) {
    case 'src_ip':
    case 'alt_addr':
    case 'ip':
    case 'ipmask':
      // Rust's IpAddr reads no zone id (fe80::1%veth0); Node's isIP does
      return isIP(value) && !value.includes('%')
        ? undefined
        : `${JSON.stringify(value)} is not an IPv4 or IPv6 address`;
    case 'mac':
    case 'if_mac':
      return isUnicastMac(value) ? undefined : `${JSON.stringify(value)} is not a unicast MAC address`;
    case 'vlan':
    case 'port':
      return /^\+?\d{1,5}$/.test(value) && Number(value) <= 65535
        ? undefined
        : `${JSON.stringify(value)} is not a number from 0 to 65535`;
    case 'redirect':
    case 'if':
      return /^[^\s/:]{1,15}$/.test(value) ? undefined : `${JSON.stringify(value)} is not an interface name`;
    case 'log_filter':
      return undefined;
    default:
      return 'unknown';
  }
}

/**
 * zon-lb's parse_unicast_mac (helpers.rs): six hex bytes split by ":" or else by "-" (each part
 * u8::from_str_radix: 1 or more digits, a leading "+", at most 255); else up to twelve hex digits,
 * which fill the address from the left (a short one ends in zeros); then not zero and not multicast.
 */
export function parseMac(text: string): number[] | undefined {
  const byte = (p: string) => (/^\+?[0-9a-fA-F]+$/.test(p) && parseInt(p, 16) <= 255 ? parseInt(p, 16) : undefined);
  for (const sep of [':', '-']) {
    const parts = text.split(sep);
    if (parts.length !== 6) continue;
    const bytes = parts.map(byte);
    return bytes.every((b) => b !== undefined) ? (bytes as number[]) : undefined;
  }
  if (text.length > 12 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const mac = [0, 0, 0, 0, 0, 0];
  [...text].forEach((c, i) => {
    mac[i >> 1]! |= parseInt(c, 16) << (4 * (1 - (i & 1)));
  });
  return mac;
}

function isUnicastMac(text: string): boolean {
  const bytes = parseMac(text);
  return bytes !== undefined && bytes.some((b) => b !== 0) && (bytes[0]! & 1) === 0;
}
