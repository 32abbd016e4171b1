import path from 'node:path';
import { runCommand } from '../../lab/run-command.js';
import type { CheckOutcome } from '../checks/outcome.js';
import { bpfDir } from '../paths.js';
import type { Scenario } from '../scenario/types.js';
import { windowCost, type Counts, type CostSample, type LbCostRecord, type LbProgram } from './cost.js';
import {
  labInterfaces,
  lbAttachments,
  parseTcAttachments,
  parseXdpAttachments,
  where,
  type XdpAttachment,
} from './discover.js';
import { BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_XDP } from './prog-info.js';
import type { BpfStatsCalls } from './syscalls.js';

/** Measures what each throughput sample cost the load balancer's XDP programs. */
export interface CostSampler {
  /** Runs one sample and adds lb_ns_per_packet and lb_runs to its measurements. */
  around(check: string, repetition: number, run: () => Promise<CheckOutcome>): Promise<CheckOutcome>;
  /** Statistics off, program fds closed; idempotent. */
  stop(): void;
  record(): LbCostRecord;
}

/** Finds the load balancer's XDP programs on the lab's interfaces and turns run-time statistics on. */
export async function startCostSampling(s: Scenario, log: (line: string) => void): Promise<CostSampler> {
  let attached: XdpAttachment[];
  let bpf: BpfStatsCalls;
  try {
    bpf = (await import('./syscalls.js')).bpfStatsCalls();
    attached = lbAttachments(await xdpOnLab(s), s, (program) => bpf.programNames(path.join(bpfDir, `${program}.o`)));
  } catch (err) {
    return unavailable(`cannot read the lab's XDP programs: ${(err as Error).message}`);
  }
  if (!attached.length)
    return unavailable("no BPF program of the load balancer (XDP, or tc on its interfaces) on the lab's interfaces");
  const fds = new Map<number, number>();
  let statsFd: number | undefined;
  const stop = () => {
    if (statsFd !== undefined) bpf.close(statsFd);
    statsFd = undefined;
    for (const fd of fds.values()) bpf.close(fd);
    fds.clear();
  };
  const programs: LbProgram[] = [];
  try {
    for (const id of new Set(attached.map((a) => a.id))) {
      const fd = bpf.progFdById(id);
      fds.set(id, fd);
      const info = bpf.progInfo(fd);
      if (info.type !== BPF_PROG_TYPE_XDP && info.type !== BPF_PROG_TYPE_SCHED_CLS) continue;
      const { name, tag, jitedBytes, xlatedInsns, verifiedInsns } = info;
      programs.push({
        id,
        name,
        tag,
        jitedBytes,
        xlatedInsns,
        verifiedInsns,
        interfaces: attached.filter((a) => a.id === id).map(where),
      });
    }
    statsFd = bpf.enableRunTimeStats();
  } catch (err) {
    stop();
    return unavailable(`cannot turn BPF run-time statistics on: ${(err as Error).message}`);
  }
  log(`load balancer cost: BPF run-time statistics on for ${programs.map((p) => `${p.name} (id ${p.id})`).join(', ')}`);
  const samples: CostSample[] = [];
  // a sample whose counters cannot be read has no cost figure; the check itself still counts
  const read = () => {
    if (statsFd === undefined) return undefined;
    try {
      return new Map<number, Counts>(
        programs.map((p) => {
          const i = bpf.progInfo(fds.get(p.id)!);
          return [p.id, { runs: i.runCnt, runTimeNs: i.runTimeNs }];
        }),
      );
    } catch {
      return undefined;
    }
  };
  return {
    async around(check, repetition, run) {
      const before = read();
      const outcome = await run();
      const after = before && read();
      if (!before || !after) return outcome;
      const cost = windowCost(before, after);
      samples.push({ check, repetition, programs: cost.programs });
      return { ...outcome, measurements: { ...outcome.measurements, ...cost.measurements } };
    },
    stop,
    record: () => ({ programs, samples }),
  };
}

function unavailable(why: string): CostSampler {
  return {
    around: (_c, _r, run) => run(),
    stop: () => {},
    record: () => ({ programs: [], samples: [], unavailable: why }),
  };
}

/** One `ip -j link show` per namespace of the lab, and tc's filters on the load balancer's interfaces. */
async function xdpOnLab(s: Scenario): Promise<XdpAttachment[]> {
  const out: XdpAttachment[] = [];
  for (const netns of labInterfaces(s).namespaces) {
    const r = await runCommand(['ip', '-j', 'link', 'show'], { netns });
    out.push(...parseXdpAttachments(r.stdout, netns));
  }
  for (const iface of s.lb.config?.interfaces ?? []) {
    for (const direction of ['ingress', 'egress']) {
      const r = await runCommand(['tc', '-j', 'filter', 'show', 'dev', iface, direction], { reject: false });
      if (!r.failed) out.push(...parseTcAttachments(r.stdout, iface));
    }
  }
  return out;
}
