import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * What zonlab may touch on the machine, as text to compare before and after a test: a leak shows
 * as a difference.
 */
export interface MachineSnapshot {
  namespaces: string;
  links: string;
  loAddresses: string;
  routes: string;
  nft: string;
  xdp: string;
  sysctls: string;
  pins: string;
  processes: string;
  /** bpffs, sysfs and tmpfs mounts a sandbox or iproute2 could leak into the machine's namespace. */
  mounts: string;
}

const sh = (cmd: string, args: string[]) => {
  try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return ''; }
};

export function snapshot(): MachineSnapshot {
  return {
    namespaces: sh('ip', ['netns', 'list']),
    links: sh('ip', ['-o', 'link', 'show']).split('\n').map((l) => l.split(':')[1]?.trim()).sort().join(' '),
    loAddresses: sh('ip', ['-o', 'address', 'show', 'dev', 'lo']).split('\n').map((l) => l.split(/\s+/)[3]).join(' '),
    routes: sh('ip', ['route', 'show']),
    nft: sh('nft', ['list', 'ruleset']),
    xdp: sh('ip', ['-o', 'link', 'show']).split('\n').filter((l) => l.includes('xdp')).join('\n'),
    sysctls: sh('sysctl', ['net.ipv4.ip_forward', 'net.ipv4.conf.all.route_localnet', 'net.ipv4.conf.all.accept_local', 'net.ipv4.conf.lo.accept_local']),
    pins: (() => { try { return readdirSync('/sys/fs/bpf').join(' '); } catch { return ''; } })(),
    processes: sh('pgrep', ['-a', '-x', 'iperf3|iperf|nc|telnet']),
    mounts: readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => /bpf|zonlab|netns/.test(l)).map((l) => l.split(' ').slice(3, 5).join(' ')).join('\n'),
  };
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Why integration tests cannot run here, or undefined when they can. */
export function rootSkipReason(): string | undefined {
  if (!isRoot()) return 'needs root';
  if (!sh('which', ['unshare'])) return 'needs unshare (util-linux)';
  return undefined;
}
