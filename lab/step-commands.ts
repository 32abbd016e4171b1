import { ipArgv, tcArgv } from './net.js';
import type { Step, VethEnd } from './steps.js';

export interface Command {
  argv: string[];
  /** Named namespace; undefined is the lab's default namespace. */
  netns?: string;
  /** An undo of something others may have come to use meanwhile: "busy" leaves it, and is no failure. */
  keepIfBusy?: boolean;
}

export interface StepCommands {
  /** Reads what the step restores later (a sysctl's value) or needs (a peer's MAC), run before `run`. */
  save?: Command;
  /** The commands as `plan` shows them; `runWith` gives the ones that run when they need what `save` read. */
  run: Command[];
  /** `run` with what `save` read filled in; throws when that output is not what was expected. */
  runWith?(saved: string): Command[];
  /** What undoes the step, given what `save` read. Empty when the step goes away with its namespace or link. */
  undo(saved: string | undefined): Command[];
  /** Interfaces of the default namespace that go away with a lab namespace: teardown waits for them. */
  waitGone?: string[];
}

/** The commands of each step: argument arrays built from validated fields, never shell text. */
export function stepCommands(s: Step): StepCommands {
  const none = () => [];
  switch (s.kind) {
    case 'netns-add':
      return {
        run: [{ argv: ['ip', 'netns', 'add', s.netns] }],
        undo: () => [{ argv: ['ip', 'netns', 'delete', s.netns] }],
      };
    case 'netns-mark':
      return { run: [{ argv: ipArgv(s.netns, 'link', 'set', 'dev', 'lo', 'alias', s.marker) }], undo: none };
    case 'ifindex-reserve':
      return { run: [], undo: none }; // chosen and held in process; see lab/lab.ts
    case 'veth-add': {
      const placed = (e: VethEnd) => [
        ...(e.netns !== undefined ? ['netns', e.netns] : []),
        ...(e.index !== undefined ? ['index', String(e.index)] : []),
      ];
      const argv = [
        'ip',
        'link',
        'add',
        s.a.name,
        ...placed(s.a),
        'type',
        'veth',
        'peer',
        'name',
        s.b.name,
        ...placed(s.b),
      ];
      // A pair with an end in a lab namespace goes with that namespace, asynchronously and far
      // cheaper than a delete each (which waits for the kernel per link); teardown then waits
      // until the default namespace's end is really gone.
      const inLabNetns = s.a.netns !== undefined || s.b.netns !== undefined;
      const defaultEnds = [s.a, s.b].filter((e) => e.netns === undefined).map((e) => e.name);
      return {
        run: [{ argv }],
        undo: () => (inLabNetns ? [] : [{ argv: ipArgv(s.a.netns, 'link', 'delete', 'dev', s.a.name) }]),
        waitGone: inLabNetns ? defaultEnds : [],
      };
    }
    case 'device-add': {
      const d = s.device;
      const index = s.index !== undefined ? ['index', String(s.index)] : [];
      const spec =
        d.kind === 'vlan'
          ? ['link', 'add', 'link', d.link, 'name', d.name, ...index, 'type', 'vlan', 'id', String(d.id)]
          : [
              'link',
              'add',
              d.name,
              ...index,
              'type',
              'ip6tnl',
              'mode',
              d.mode,
              ...(d.local ? ['local', d.local] : []),
              ...(d.remote ? ['remote', d.remote] : []),
            ];
      return {
        run: [{ argv: ipArgv(d.netns, ...spec) }],
        undo: () => (d.netns === undefined ? [{ argv: ipArgv(undefined, 'link', 'delete', 'dev', d.name) }] : []),
      };
    }
    case 'link-mark':
      return { run: [{ argv: ipArgv(s.netns, 'link', 'set', 'dev', s.dev, 'alias', s.marker) }], undo: none };
    case 'link-mtu':
      return { run: [{ argv: ipArgv(s.netns, 'link', 'set', 'dev', s.dev, 'mtu', String(s.mtu)) }], undo: none };
    case 'ethtool':
      return {
        run: [{ argv: ['ethtool', '-K', s.dev, ...Object.entries(s.features).flat()], netns: s.netns }],
        undo: none,
      };
    case 'link-up':
      return { run: [{ argv: ipArgv(s.netns, 'link', 'set', 'dev', s.dev, 'up') }], undo: none };
    case 'addr-add': {
      const extra = s.family === 6 ? ['nodad'] : []; // usable at once: no duplicate-address detection wait
      return {
        run: [{ argv: ipArgv(s.netns, 'address', 'add', s.cidr, 'dev', s.dev, ...extra) }],
        undo: () => (s.goesWithLab ? [] : [{ argv: ipArgv(s.netns, 'address', 'delete', s.cidr, 'dev', s.dev) }]),
      };
    }
    case 'route-add': {
      // the family follows from the addresses; a bare IPv6 default is written ::/0 (batch lines take no -6)
      const to = s.to === 'default' && s.family === 6 && !s.via ? '::/0' : s.to;
      const args = ['route', 'add', to, ...(s.via ? ['via', s.via] : []), ...(s.dev ? ['dev', s.dev] : [])];
      const del = ['route', 'delete', to, ...(s.via ? ['via', s.via] : []), ...(s.dev ? ['dev', s.dev] : [])];
      return {
        run: [{ argv: ipArgv(s.netns, ...args) }],
        undo: () => (s.goesWithLab ? [] : [{ argv: ipArgv(s.netns, ...del) }]),
      };
    }
    case 'sysctl':
      return {
        save: s.goesWithLab ? undefined : { argv: ['sysctl', '-n', s.key], netns: s.netns },
        run: [{ argv: ['sysctl', '-q', '-w', `${s.key}=${s.value}`], netns: s.netns }],
        undo: (saved) =>
          s.goesWithLab || saved === undefined
            ? []
            : [{ argv: ['sysctl', '-q', '-w', `${s.key}=${saved.trim()}`], netns: s.netns }],
      };
    case 'neighbour': {
      // the MAC exists only once the lab is up: read from the peer's end when the step runs
      const replace = (mac: string) =>
        ipArgv(s.netns, 'neigh', 'replace', s.address, 'lladdr', mac, 'dev', s.dev, 'nud', 'permanent');
      return {
        save: { argv: ipArgv(s.peer.netns, '-j', 'link', 'show', 'dev', s.peer.dev) },
        run: [{ argv: replace(`<MAC of ${s.peer.dev}>`) }],
        runWith: (saved) => [{ argv: replace(macOf(saved, s.peer.dev)) }],
        undo: () => (s.goesWithLab ? [] : [{ argv: ipArgv(s.netns, 'neigh', 'delete', s.address, 'dev', s.dev) }]),
      };
    }
    case 'qdisc': {
      const tc = (...args: string[]) => tcArgv(s.netns, ...args);
      return {
        run: [
          {
            argv: tc(
              'qdisc',
              'add',
              'dev',
              s.dev,
              'root',
              'tbf',
              'rate',
              s.rate,
              'burst',
              s.burst,
              'latency',
              s.latency,
            ),
          },
        ],
        undo: () => (s.goesWithLab ? [] : [{ argv: tc('qdisc', 'delete', 'dev', s.dev, 'root') }]),
      };
    }
    case 'xdp-helper':
      return {
        run: [{ argv: ipArgv(s.netns, 'link', 'set', 'dev', s.dev, 'xdp', 'obj', s.object, 'sec', s.section) }],
        undo: () => [{ argv: ipArgv(s.netns, 'link', 'set', 'dev', s.dev, 'xdp', 'off') }],
      };
    case 'lb-load':
      return { run: [], undo: none }; // the driver loads and unloads; see lab/lab.ts
  }
}

/** The MAC in `ip -j link show dev DEV`'s answer. */
export function macOf(json: string, dev: string): string {
  let mac: unknown;
  try {
    mac = (JSON.parse(json) as { address?: unknown }[])[0]?.address;
  } catch {
    /* reported below */
  }
  if (typeof mac !== 'string' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac))
    throw new Error(`no Ethernet address for ${dev} in: ${json.trim().slice(0, 200)}`);
  return mac;
}

/** An undo that failed because others use the object (keepIfBusy): teardown leaves it, as it should. */
export function leftForOthers(cmd: Command, stderr: string): boolean {
  return Boolean(cmd.keepIfBusy) && /busy|not empty/i.test(stderr);
}

/** stderr of an undo whose object is already gone: teardown counts it as done. */
export function alreadyGone(stderr: string): boolean {
  return /Cannot find device|No such file or directory|does not exist|Cannot assign requested address|No such process|No such device|not found|not mounted/i.test(
    stderr,
  );
}
