import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCommand } from '../../lab/run-command.js';
import { bpfDir, stateDir } from '../paths.js';

/** Kernel features, found by trying them in a throwaway namespace, not by reading a config that may not match the running kernel. */
export const FEATURES = [
  'netns-veth',
  'ipv6',
  'xdp-native-veth',
  'nft-nat',
  'tbf',
  'vlan',
  'ip6tnl',
  'netem',
  'ipvs',
  'btf',
] as const;
export type Feature = (typeof FEATURES)[number];

export interface ProbeResult {
  feature: Feature;
  ok: boolean;
  detail: string;
}

const WHAT: Record<Feature, string> = {
  'netns-veth': 'network namespaces and veth pairs',
  ipv6: 'IPv6',
  'xdp-native-veth': 'XDP in native mode on veth',
  'nft-nat': 'nftables NAT',
  tbf: 'the tbf qdisc',
  vlan: '802.1Q VLAN devices',
  ip6tnl: 'IPv6 tunnel devices (ip6tnl)',
  netem: 'the netem qdisc',
  ipvs: 'IPVS',
  btf: 'kernel BTF',
};

export function describeFeature(f: Feature): string {
  return WHAT[f];
}

async function inThrowawayNetns(argv: string[], input?: string): Promise<{ ok: boolean; detail: string }> {
  // a private mount namespace too: iproute2 mounts a bpffs when it loads an object
  const r = await runCommand(['unshare', '--net', '--mount', '--propagation', 'private', '--', ...argv], {
    input,
    reject: false,
    timeoutMs: 10_000,
  });
  const said = (r.stderr || r.stdout).trim().split('\n')[0] ?? '';
  return { ok: !r.failed, detail: r.failed ? said || `exit code ${r.exitCode}` : 'probed in a throwaway namespace' };
}

const ipBatch = (lines: string[]) => inThrowawayNetns(['ip', '-batch', '-'], `${lines.join('\n')}\n`);

const PROBES: Record<Feature, () => Promise<{ ok: boolean; detail: string }>> = {
  'netns-veth': () => ipBatch(['link add zlp0 type veth peer name zlp1']),
  ipv6: async () =>
    existsSync('/proc/net/if_inet6')
      ? { ok: true, detail: '/proc/net/if_inet6 exists' }
      : { ok: false, detail: 'no /proc/net/if_inet6: IPv6 is disabled or not built' },
  'xdp-native-veth': async () => {
    const obj = path.join(bpfDir, 'xdp_pass.o');
    if (!existsSync(obj)) return { ok: false, detail: 'bpf/xdp_pass.o is not built (npm run setup)' };
    return ipBatch(['link add zlp0 type veth peer name zlp1', `link set dev zlp0 xdpdrv obj ${obj} sec xdp`]);
  },
  'nft-nat': () =>
    inThrowawayNetns(
      ['nft', '-f', '-'],
      'table ip zonlab_probe {\n  chain p {\n    type nat hook prerouting priority dstnat; policy accept;\n    tcp dport 1 dnat to 127.0.0.1:2\n  }\n}\n',
    ),
  tbf: () =>
    inThrowawayNetns([
      'tc',
      'qdisc',
      'add',
      'dev',
      'lo',
      'root',
      'tbf',
      'rate',
      '1gbit',
      'burst',
      '32k',
      'latency',
      '10ms',
    ]),
  vlan: () => ipBatch(['link add zlp0 type veth peer name zlp1', 'link add link zlp0 name zlp0.2 type vlan id 2']),
  ip6tnl: () => ipBatch(['link add zlp0 type ip6tnl mode any']),
  netem: () => inThrowawayNetns(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']),
  ipvs: async () =>
    existsSync('/proc/net/ip_vs')
      ? { ok: true, detail: '/proc/net/ip_vs exists' }
      : { ok: false, detail: 'no /proc/net/ip_vs: IPVS is not in this kernel' },
  btf: async () =>
    existsSync('/sys/kernel/btf/vmlinux')
      ? { ok: true, detail: '/sys/kernel/btf/vmlinux exists' }
      : { ok: false, detail: 'no /sys/kernel/btf/vmlinux' },
};

const cache = new Map<Feature, Promise<ProbeResult>>();

/**
 * Worth remembering: probes that cost a throwaway namespace and whose answer is the kernel's alone
 * (XDP also needs iproute2's libbpf and bpf/xdp_pass.o, nft-nat the nft program; the rest read a file).
 */
const KERNEL_ONLY = new Set<Feature>(['netns-veth', 'tbf', 'vlan', 'ip6tnl', 'netem']);

/** `remembered`: a feature found since this boot stays found (only a reboot loses it); a missing one is always probed again. */
export function probe(feature: Feature, opts: { remembered?: boolean } = {}): Promise<ProbeResult> {
  if (opts.remembered && KERNEL_ONLY.has(feature) && foundThisBoot().has(feature))
    return Promise.resolve({ feature, ok: true, detail: 'found earlier since this boot' });
  let p = cache.get(feature);
  if (!p) {
    p = PROBES[feature]().then((r) => {
      if (r.ok && KERNEL_ONLY.has(feature)) rememberFound(feature);
      return { feature, ...r };
    });
    cache.set(feature, p);
  }
  return p;
}

function foundFile(): string | undefined {
  try {
    return `${stateDir()}/features-${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}.json`;
  } catch {
    return undefined;
  }
}

function foundThisBoot(): Set<Feature> {
  const file = foundFile();
  try {
    return new Set(
      file
        ? (JSON.parse(readFileSync(file, 'utf8')) as Feature[]).filter((f) =>
            (FEATURES as readonly string[]).includes(f),
          )
        : [],
    );
  } catch {
    return new Set();
  }
}

function rememberFound(feature: Feature): void {
  const file = foundFile();
  if (!file) return;
  try {
    const found = foundThisBoot();
    if (found.has(feature)) return;
    found.add(feature);
    mkdirSync(stateDir(), { recursive: true, mode: 0o700 });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify([...found]), { mode: 0o600 });
    renameSync(`${file}.${process.pid}`, file);
  } catch {
    // a state directory we cannot write only costs the next run a probe
  }
}
