import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { systemPath } from '../lab/run-command.js';
import { hostDir, labsDir, stateDir } from '../lab/state-files.js';

/**
 * Everything zonlab may touch on a machine, as text: namespaces, links, addresses (the real lo too),
 * routes, the sysctls a scenario may set, the nft ruleset, XDP programs, bpffs pins, mounts and the
 * traffic tools' processes. Two snapshots that differ show a leak. (Read with plain child_process:
 * this module is also what the tests audit with, and must not depend on the engine it audits.)
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
  mounts: string;
  /** zonlab's own state: host journals, registered labs, runs' work directories. */
  state: string;
}

const read = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, PATH: systemPath() } }).trim();
  } catch {
    return '';
  }
};

export function snapshot(): MachineSnapshot {
  return {
    namespaces: read('ip', ['netns', 'list']),
    links: read('ip', ['-o', 'link', 'show']).split('\n').map((l) => l.split(':')[1]?.trim()).sort().join(' '),
    loAddresses: read('ip', ['-o', 'address', 'show', 'dev', 'lo']).split('\n').map((l) => l.split(/\s+/)[3]).join(' '),
    routes: [read('ip', ['route', 'show']), read('ip', ['-6', 'route', 'show'])].join('\n'),
    nft: read('nft', ['list', 'ruleset']),
    xdp: read('ip', ['-o', 'link', 'show']).split('\n').filter((l) => l.includes('xdp')).join('\n'),
    sysctls: read('sysctl', ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv4.conf.all.route_localnet', 'net.ipv4.conf.all.accept_local', 'net.ipv4.conf.lo.accept_local', 'net.ipv4.conf.all.rp_filter']),
    pins: list('/sys/fs/bpf').join(' '),
    processes: read('pgrep', ['-a', '-x', 'iperf3|iperf|nc|telnet']),
    mounts: readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => /bpf|zonlab|netns/.test(l)).map((l) => l.split(' ').slice(3, 5).join(' ')).join('\n'),
    // and the bpffs mount point a host lab makes (the mount itself is in mounts)
    state: ['host', 'labs', 'work'].flatMap((d) => list(path.join(stateDir(), d)).filter((f) => d !== 'labs' || registered(f)).map((f) => `${d}/${f}`))
      .concat(existsSync(path.join(stateDir(), 'bpffs')) ? ['bpffs'] : []).join(' '),
  };
}

/**
 * A registry entry counts while what it names is there: a sandbox's holder (same pid and start
 * time), a host lab's journal. A killed run's entry is dropped by the next zonlab command.
 */
function registered(file: string): boolean {
  try {
    const e = JSON.parse(readFileSync(path.join(labsDir(), file), 'utf8')) as { mode: string; scenario: string; holderPid: number; holderStart: string };
    if (e.mode === 'host') return list(hostDir()).includes(`${e.scenario}.journal`);
    const stat = readFileSync(`/proc/${e.holderPid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] === e.holderStart;
  } catch {
    return false;
  }
}

function list(dir: string): string[] {
  try { return readdirSync(dir).sort(); } catch { return []; }
}

export function snapshotDiff(before: MachineSnapshot, after: MachineSnapshot): string[] {
  return (Object.keys(after) as (keyof MachineSnapshot)[]).filter((k) => before[k] !== after[k]).map((k) => `${k}:\n  before: ${before[k] || '(none)'}\n  after:  ${after[k] || '(none)'}`);
}
