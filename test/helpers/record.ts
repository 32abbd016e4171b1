import type { RunRecord } from '../../src/results/record.js';
import { summarize } from '../../src/stats/summary.js';

/** A run record of veth-netns with the nft driver: a telnet check and one iperf3 sample per repetition. */
export function record(id: string, samples: number[], status: RunRecord['status'] = 'passed'): RunRecord {
  const fingerprint = {
    kernel: 'k',
    cpuModel: 'c',
    cpus: 2,
    driver: 'nft',
    driverVersion: 'v',
    scenarioHash: 'h',
    offloads: {},
  };
  return {
    schema: 1,
    id,
    time: '2026-11-24T00:00:00.000Z',
    durationMs: 1000,
    scenario: { name: 'veth-netns', hash: 'h', files: [], params: {} },
    driver: { name: 'nft', version: 'v' },
    zonlab: { version: '0', commit: 'c' },
    host: { kernel: 'k', cpuModel: 'c', cpus: 2, arch: 'x64' },
    mode: 'sandbox',
    offloads: {},
    status,
    checks: [
      {
        name: 'telnet',
        kind: 'telnet',
        status: status === 'passed' ? 'passed' : 'failed',
        summary: 'token <both> ways & "quoted"',
        evidence: {},
        durationMs: 10,
        error: status === 'passed' ? undefined : 'refused',
      },
      ...samples.map((s, i) => ({
        name: 'iperf3',
        kind: 'iperf3' as const,
        status: 'passed' as const,
        summary: `${s}`,
        evidence: {},
        measurements: { bits_per_second: s },
        durationMs: 1000,
        repetition: i + 1,
      })),
    ],
    measurements: { iperf3: { bits_per_second: summarize(samples).median } },
    samples: { iperf3: { bits_per_second: samples } },
    stats: { iperf3: { bits_per_second: summarize(samples) } },
    repeat: { count: samples.length, warmup: false },
    fingerprint,
    teardown: { failures: [] },
  };
}
