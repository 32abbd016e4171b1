import type { ZonlbConfig } from '../zonlb/config.js';
import { MAX_BACKENDS } from './embedded/maps.js';
import { flagOf, FLAGS, KEYS, type Flag, type Key } from '../zonlb/options.js';
import { isKnownProtocol, KNOWN_PROTOCOLS } from '../ip-protocols.js';

/** Which zon-lb options each subset driver implements: one it lacks is a skip naming the option, never ignored. */
export type Row =
  | Flag
  | `${Exclude<Key, 'replace' | 'all'>}=`
  | 'replace'
  | 'all'
  | 'without redirect'
  | 'group option'
  | 'unknown option'
  | 'protocol'
  | 'cross-family'
  | 'over 64 backends'
  | 'no backends'
  | 'nd.fill'
  | 'clean';

export type Support = { does: true; how: string } | { does: false; why: string };
export type CapabilityTable = Record<Row, Support>;
/** A subset driver's answers, and the verb its refusals use. */
export interface Capabilities {
  verb: string;
  table: CapabilityTable;
}

const does = (how: string): Support => ({ does: true, how });
const not = (why: string): Support => ({ does: false, why });
const STORED =
  "zon-lb keeps it in the endpoint's options and its program does not read it (backends.rs as_backend keeps src_ip and alt_addr only)";
const stored: Record<
  `${'ip' | 'ipmask' | 'log_filter' | 'mac' | 'if_mac' | 'vlan' | 'port' | 'if'}=` | 'replace' | 'all',
  Support
> = {
  'ip=': not(STORED),
  'ipmask=': not(STORED),
  'log_filter=': not(STORED),
  'mac=': not(STORED),
  'if_mac=': not(STORED),
  'vlan=': not(STORED),
  'port=': not(STORED),
  'if=': not(STORED),
  replace: not(STORED),
  all: not(STORED),
};

/** Rows the two subset drivers answer alike. */
const COMMON = {
  ...stored,
  // zon-lb derives the family from the address and drops these flags (backends.rs as_backend)
  ipv4: does("the address's family decides, as in zon-lb"),
  ipv6: does("the address's family decides, as in zon-lb"),
  'src_ip=': does('the source of the forwarded packet'),
  disable: not('zon-lb at cf3fa6f stores it without its program reading it; there is no disabled backend here'),
  no_nat: not(
    "zon-lb at cf3fa6f stores it (its program's path without connection tracking is commented out); this driver always translates and tracks",
  ),
  'alt_addr=': not('it is the tunnel endpoint of dsr_l3'),
  'redirect=': not(
    "it forwards where the kernel's FIB leads, never to a named interface (zon-lb at cf3fa6f only checks that the interface exists)",
  ),
  'unknown option': not('zon-lb at cf3fa6f does not know it either'),
  'group option': not("zon-lb stores a group's flags; a group here is its VIP, protocol and port"),
  protocol: not(`it balances ${KNOWN_PROTOCOLS} only`),
  // zon-lb's fill serves its ARP/ND replies inside VLANs (examples/vlan_netns_bridge/README.org)
  'nd.fill': does(
    'the kernel answers ARP and neighbour solicitations for the addresses it owns; zon-lb fills its cache to answer them inside VLANs',
  ),
  clean: does('zon-lb knows only "None", which does nothing'),
} as const;

export const CAPABILITIES: Record<'embedded' | 'nft', Capabilities> = {
  embedded: {
    verb: 'does not implement',
    table: {
      ...COMMON,
      // zon-lb's redirect path (FIB lookup, redirect, full NAT, conntrack) is what this program always does
      redirect: does(
        'bpf_fib_lookup + bpf_redirect (XDP_TX when the FIB leads back out the ingress link), full NAT, connection tracking',
      ),
      // with redirect, zon-lb's tx changes only a counter (xdp_redirect_full_nat): zon-lb-ebpf/src/main.rs
      tx: does("with redirect it changes nothing in zon-lb's forwarding either"),
      'without redirect': not(
        "zon-lb rewrites such a backend's packets in place and passes them to the local stack, or back out of their link with tx, untracked; the embedded program always forwards by FIB lookup",
      ),
      dsr_l2: does(
        "the backend's MAC on the packet as it is, redirected; the backend answers the client from the VIP and the kernel forwards those replies",
      ),
      dsr_l3: not('direct server return over ip6tnl is not part of the embedded program'),
      'cross-family': not('it translates within one IP family'),
      'over 64 backends': not('its program holds 64 backends a group (bpf/zonlb_consts.h MAX_BACKENDS)'),
      'no backends': does("its program passes the group's packets on untouched, as zon-lb does"),
    },
  },
  nft: {
    verb: 'cannot do',
    table: {
      ...COMMON,
      redirect: does('the kernel routes the translated packet, with connection tracking'),
      tx: does("with redirect it changes nothing in zon-lb's forwarding either"),
      'without redirect': not(
        "nft DNAT is always routed by the kernel and tracked; zon-lb passes such a backend's packets to the local stack untracked",
      ),
      dsr_l2: not('NAT is not direct server return'),
      dsr_l3: not('NAT is not direct server return'),
      'cross-family': not('nft NAT stays within one IP family'),
      'over 64 backends': does('numgen spreads over any number'),
      'no backends': does('no rule: the packets go on untranslated, as zon-lb passes them'),
    },
  },
};

/** One thing a zonlb.toml asks of a driver: its row, how it is named, and where it is asked. */
export interface Ask {
  row: Row;
  label: string;
  /** "backend.1_0", "netif.veth0.1", "actions.nd". */
  at: string;
}

export function asks(config: ZonlbConfig): Ask[] {
  const out: Ask[] = [];
  const ask = (row: Row, at: string, label: string = row) => out.push({ row, label, at });
  for (const s of config.services) {
    const group = `netif.${s.netif}.${s.gid}`;
    for (const o of s.options.raw) ask('group option', group, `group option ${JSON.stringify(o)}`);
    if (!isKnownProtocol(s.proto)) ask('protocol', group, `protocol ${s.proto}`);
    if (s.backends.length === 0) ask('no backends', group, 'a group without backends');
    if (s.backends.length > MAX_BACKENDS) ask('over 64 backends', group, `${s.backends.length} backends in a group`);
    for (const b of s.backends) {
      const at = `backend.${b.key}`;
      // named as written: no_ct and no_conntrack are refused by their own names
      for (const word of b.options.raw.filter((o) => !o.includes('='))) {
        const f = flagOf(word);
        if (f) ask(f, at, word.toLowerCase());
      }
      if (!b.options.redirect) ask('without redirect', at, 'a backend without redirect');
      for (const k of Object.keys(b.options.props) as Key[]) ask(k === 'replace' || k === 'all' ? k : `${k}=`, at);
      for (const u of b.options.unknown) ask('unknown option', at, `unknown option ${JSON.stringify(u)}`);
      if (b.family !== s.family) ask('cross-family', at, `IPv${s.family} to IPv${b.family}`);
    }
  }
  if (config.ndFill) ask('nd.fill', 'actions.nd', 'nd.fill');
  if (config.clean !== undefined) ask('clean', 'actions', 'actions.clean');
  return out;
}

/** One reason per option the driver lacks, naming every key that asks for it and the file. */
export function lacking(driver: string, { verb, table }: Capabilities, config: ZonlbConfig): string[] {
  const byLabel = new Map<string, { why: string; at: string[] }>();
  for (const a of asks(config)) {
    const support = table[a.row];
    if (support.does) continue;
    const entry = byLabel.get(a.label) ?? { why: support.why, at: [] };
    if (!entry.at.includes(a.at)) entry.at.push(a.at);
    byLabel.set(a.label, entry);
  }
  return [...byLabel].map(
    ([label, { why, at }]) => `the ${driver} driver ${verb} ${label} (${where(at)} in ${config.file}): ${why}`,
  );
}

function where(at: string[]): string {
  const sorted = [...at].sort();
  if (sorted.every((k) => k.startsWith('backend.')))
    return `backend${sorted.length > 1 ? 's' : ''} ${sorted.map((k) => k.slice('backend.'.length)).join(', ')}`;
  return sorted.join(', ');
}

/** Every row, for the table's own test: each flag and key of zon-lb's has one. */
export const ROWS: Row[] = [
  ...FLAGS,
  ...KEYS.map((k): Row => (k === 'replace' || k === 'all' ? k : `${k}=`)),
  'without redirect',
  'group option',
  'unknown option',
  'protocol',
  'cross-family',
  'over 64 backends',
  'no backends',
  'nd.fill',
  'clean',
];
