import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { AUDIT_SCOPE_ENV } from '../lab/registry.js';
import { readCommandSync } from '../lab/run-command.js';
import { hostDir, labsDir, stateDir } from '../lab/state-files.js';

/**
 * What one auditor starts (a test file, a CI job) carries this variable in its environment, and so
 * do the zonlab processes it starts and theirs. With it set, a snapshot leaves out the sandboxed
 * labs of other auditors and users, and their tools' processes, so that the audit compares what
 * this auditor made, not the whole machine (issue 22: another user's runs broke the suite's audits).
 */
export { AUDIT_SCOPE_ENV } from '../lab/registry.js';

/**
 * Everything zonlab may touch on a machine, as text: namespaces, links, addresses (the real lo too),
 * routes, the sysctls a scenario may set, the nft ruleset, XDP programs, bpffs pins, mounts and the
 * traffic tools' processes. Two snapshots that differ show a leak.
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

const read = (cmd: string, args: string[]) => readCommandSync([cmd, ...args]);

/**
 * The machine now. The machine's own default namespace (links, routes, nft, XDP, sysctls, pins,
 * mounts, host journals) is compared whole: a --host lab changes it for everyone. Processes in a
 * sandbox's PID namespace are left out (they die with it; a sandbox that lives shows as its
 * registry entry); with a scope, so are processes and sandboxes started under another scope.
 */
export function snapshot(scope: string | undefined = process.env[AUDIT_SCOPE_ENV] || undefined): MachineSnapshot {
  return {
    namespaces: read('ip', ['netns', 'list']),
    links: read('ip', ['-o', 'link', 'show'])
      .split('\n')
      .map((l) => l.split(':')[1]?.trim())
      .sort()
      .join(' '),
    loAddresses: read('ip', ['-o', 'address', 'show', 'dev', 'lo'])
      .split('\n')
      .map((l) => l.split(/\s+/)[3])
      .join(' '),
    routes: [read('ip', ['route', 'show']), read('ip', ['-6', 'route', 'show'])].join('\n'),
    nft: read('nft', ['list', 'ruleset']),
    xdp: read('ip', ['-o', 'link', 'show'])
      .split('\n')
      .filter((l) => l.includes('xdp'))
      .join('\n'),
    sysctls: read('sysctl', [
      'net.ipv4.ip_forward',
      'net.ipv6.conf.all.forwarding',
      'net.ipv4.conf.all.route_localnet',
      'net.ipv4.conf.all.accept_local',
      'net.ipv4.conf.lo.accept_local',
      'net.ipv4.conf.all.rp_filter',
    ]),
    pins: list('/sys/fs/bpf').join(' '),
    processes: read('pgrep', ['-a', '-x', 'iperf3|iperf|nc|telnet'])
      .split('\n')
      .filter((l) => l && inScope(Number(l.split(' ')[0]), scope, true))
      .join('\n'),
    mounts: readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((l) => /bpf|zonlab|netns/.test(l))
      .map((l) => l.split(' ').slice(3, 5).join(' '))
      .join('\n'),
    // and the bpffs mount point a host lab makes (the mount itself is in mounts)
    state: ['host', 'labs', 'work']
      .flatMap((d) =>
        list(path.join(stateDir(), d))
          .filter((f) => d !== 'labs' || registered(f, scope))
          .map((f) => `${d}/${f}`),
      )
      .concat(existsSync(path.join(stateDir(), 'bpffs')) ? ['bpffs'] : [])
      .join(' '),
  };
}

/**
 * A registry entry counts while what it names is there: a sandbox's holder (same pid and start
 * time), a host lab's journal. A killed run's entry is dropped by the next zonlab command.
 */
function registered(file: string, scope: string | undefined): boolean {
  try {
    const e = JSON.parse(readFileSync(path.join(labsDir(), file), 'utf8')) as {
      mode: string;
      scenario: string;
      holderPid: number;
      holderStart: string;
    };
    if (e.mode === 'host') return list(hostDir()).includes(`${e.scenario}.journal`);
    const stat = readFileSync(`/proc/${e.holderPid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] === e.holderStart && inScope(e.holderPid, scope, false);
  } catch {
    return false;
  }
}

const SELF_PIDNS = (() => {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
})();

/**
 * A process this auditor answers for: with a scope, one that carries it, or (outside sandboxes)
 * one that carries no scope at all; without, any. `hostOnly`: none in another PID namespace.
 */
function inScope(pid: number, scope: string | undefined, hostOnly: boolean): boolean {
  try {
    if (hostOnly && SELF_PIDNS !== undefined && readlinkSync(`/proc/${pid}/ns/pid`) !== SELF_PIDNS) return false;
    if (scope === undefined) return true;
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const theirs = env.find((v) => v.startsWith(`${AUDIT_SCOPE_ENV}=`))?.slice(AUDIT_SCOPE_ENV.length + 1);
    return theirs === scope || (theirs === undefined && hostOnly);
  } catch {
    // gone meanwhile: nothing to count
    return false;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export function snapshotDiff(before: MachineSnapshot, after: MachineSnapshot): string[] {
  return (Object.keys(after) as (keyof MachineSnapshot)[])
    .filter((k) => before[k] !== after[k])
    .map((k) => `${k}:\n  before: ${before[k] || '(none)'}\n  after:  ${after[k] || '(none)'}`);
}
