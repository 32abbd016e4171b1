import { existsSync, readFileSync } from 'node:fs';
import { runCommand } from '../../../lab/run-command.js';
import { findOnPath, hostFacts, isRoot } from '../../host-facts.js';
import { describeFeature, FEATURES, probe, type ProbeResult } from '../../doctor/probes.js';
import { paint, table } from '../../output/table.js';

/** Each tool, the command that prints its version, and how to read it. */
const TOOLS: [string, string[]][] = [
  ['ip', ['ip', '-V']],
  ['tc', ['tc', '-V']],
  ['ss', ['ss', '-V']],
  ['ethtool', ['ethtool', '--version']],
  ['nft', ['nft', '--version']],
  ['iperf3', ['iperf3', '--version']],
  ['iperf', ['iperf', '-v']],
  ['nc', ['nc', '-h']],
  ['telnet', ['telnet', '--version']],
  ['ping', ['ping', '-V']],
  ['unshare', ['unshare', '--version']],
  ['nsenter', ['nsenter', '--version']],
  ['clang', ['clang', '--version']],
  ['bpftool', ['bpftool', 'version']],
];

/**
 * The line of a tool's output that gives its version: one with a version number. Never a usage
 * line (netkit's telnet has no version option and answers with its usage; issue 24 saw it shown
 * as the version).
 */
export function versionLine(output: string): string | undefined {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(usage|try)\b|unrecognized option|invalid option/i.test(l));
  return lines.find((l) => /\d+\.\d+|\d{8}/.test(l));
}

/** CAP_NET_ADMIN is bit 12, CAP_SYS_ADMIN bit 21 of CapEff. */
export function capabilities(status: string): { netAdmin: boolean; sysAdmin: boolean } {
  const hex = /CapEff:\s*([0-9a-f]+)/i.exec(status)?.[1] ?? '0';
  const caps = BigInt(`0x${hex}`);
  return { netAdmin: ((caps >> 12n) & 1n) === 1n, sysAdmin: ((caps >> 21n) & 1n) === 1n };
}

export async function doctorCommand(a: { json?: boolean }): Promise<number> {
  const facts = hostFacts();
  const caps = capabilities(readFileSync('/proc/self/status', 'utf8'));
  const tools = await Promise.all(
    TOOLS.map(async ([name, argv]) => {
      const path = findOnPath(name);
      if (!path) return { name, path: undefined, version: undefined };
      const r = await runCommand(argv, { reject: false, timeoutMs: 5_000 });
      return { name, path, version: versionLine(`${r.stdout}\n${r.stderr}`) ?? 'present (it prints no version)' };
    }),
  );
  const probes: ProbeResult[] = isRoot() ? await Promise.all(FEATURES.map((f) => probe(f))) : [];
  const libbpf = existsSync('/usr/lib/x86_64-linux-gnu/libbpf.so.1') || existsSync('/lib/x86_64-linux-gnu/libbpf.so.1');
  if (a.json) {
    process.stdout.write(
      `${JSON.stringify({ host: facts, root: isRoot(), capabilities: caps, tools, features: probes, libbpf }, null, 2)}\n`,
    );
    return 0;
  }
  const yes = (b: boolean) => (b ? paint('yes', 'green') : paint('no', 'red'));
  const out = [
    `kernel ${facts.kernel}, ${facts.cpus} × ${facts.cpuModel}, ${facts.arch}`,
    `root: ${yes(isRoot())}  CAP_NET_ADMIN: ${yes(caps.netAdmin)}  CAP_SYS_ADMIN: ${yes(caps.sysAdmin)}  libbpf.so.1: ${yes(libbpf)}`,
    '',
    table(
      ['tool', 'found', 'version'],
      tools.map((t) => [t.name, t.path ? t.path : paint('missing', 'red'), t.version ?? '-']),
    ),
    '',
    isRoot()
      ? table(
          ['kernel feature', 'available', 'how we know'],
          probes.map((p) => [describeFeature(p.feature), yes(p.ok), p.detail]),
        )
      : 'kernel features: probing needs root (it creates throwaway devices in throwaway namespaces)',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
