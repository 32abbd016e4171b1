import { isIP } from 'node:net';
import { runCommand, startBackground } from '../../lab/run-command.js';
import { parseIperf2 } from '../parsers/iperf2.js';
import { parseIperf3 } from '../parsers/iperf3-json.js';
import { serverSaw, wrongSource } from './server-view.js';
import type { ThroughputCheck } from '../scenario/types.js';
import { failedOutcome, type CheckOutcome } from './outcome.js';
import { formatRate } from '../rate.js';
import { waitListening } from './wait-listen.js';

/** iperf3: a one-off server (-1: one test, then exit) behind the load balancer, the client with -J. */
export async function runIperf3Check(
  spec: ThroughputCheck,
  onProgress?: (line: string) => void,
): Promise<CheckOutcome> {
  const t0 = Date.now();
  const proto = spec.udp ? 'udp' : 'tcp';
  // iperf3 3.12's client prints -J output only at the end; the server, with --forceflush, prints
  // each interval as it ends: that is the live progress
  const server = startBackground(
    ['iperf3', '-s', '-1', '--forceflush', '-B', spec.server.address, '-p', String(spec.server.port)],
    { netns: spec.server.netns },
  );
  let seen = 0;
  const progress =
    onProgress &&
    setInterval(() => {
      const lines = server.output().stdout.split('\n');
      for (; seen < lines.length - 1; seen++) {
        const m = intervalLine(lines[seen]!, spec.parallel > 1);
        if (m)
          onProgress(
            `  ${spec.name}: ${m.from}–${m.to} s ${m.rate}${m.omitted ? ' (omitted: the -O warm-up, not counted)' : ''}`,
          );
      }
    }, 200);
  const argv = [
    'iperf3',
    '-c',
    spec.to,
    '-p',
    String(spec.port),
    '-t',
    String(spec.duration),
    '-O',
    String(spec.omit),
    '-J',
    ...(spec.parallel > 1 ? ['-P', String(spec.parallel)] : []),
    ...(spec.reverse ? ['-R'] : []),
    ...(spec.udp ? ['-u', '-b', spec.bitrate ?? '1G'] : []),
    ...(spec.window ? ['-w', spec.window] : []),
  ];
  const evidence: Record<string, unknown> = { serverCommand: server.argv, clientCommand: argv };
  try {
    // iperf3's control connection is TCP even for UDP tests
    await waitListening('iperf3', spec.server.netns, spec.server.address, spec.server.port, 'tcp');
    const r = await runCommand(argv, { netns: spec.from, reject: false, timeoutMs: spec.timeoutMs });
    const parsed = parseIperf3(`${r.stdout}\n${r.stderr}`);
    if (!parsed.ok) return failedOutcome(spec, t0, evidence, `iperf3: ${parsed.error}`);
    evidence.result = parsed;
    if (r.failed) return failedOutcome(spec, t0, evidence, `iperf3 exit code ${r.exitCode}: ${r.stderr.trim()}`);
    evidence.serverSawClientAs = peerFromIperfServer(server.output().stdout);
    const source = wrongSource(spec.expectSource, evidence.serverSawClientAs as string | undefined);
    if (source) return failedOutcome(spec, t0, evidence, source);
    const bps = parsed.bitsPerSecondReceived;
    const measurements: Record<string, number> = {
      bits_per_second: bps,
      bits_per_second_sent: parsed.bitsPerSecondSent,
    };
    if (parsed.retransmits !== undefined) measurements.retransmits = parsed.retransmits;
    if (parsed.cpu) {
      measurements.cpu_host_percent = parsed.cpu.hostTotal;
      measurements.cpu_remote_percent = parsed.cpu.remoteTotal;
    }
    if (parsed.udp) {
      measurements.jitter_ms = parsed.udp.jitterMs;
      measurements.lost_packets = parsed.udp.lostPackets;
    }
    parsed.perStream.forEach((s, i) => {
      if (s.bitsPerSecondReceived !== undefined) measurements[`stream_${i}_bits_per_second`] = s.bitsPerSecondReceived;
    });
    const ok = bps > 0;
    return {
      name: spec.name,
      kind: 'iperf3',
      status: ok ? 'passed' : 'failed',
      summary: `${formatRate(bps)} (${proto}${spec.parallel > 1 ? `, ${spec.parallel} streams` : ''}${parsed.retransmits !== undefined ? `, ${parsed.retransmits} retransmits` : ''}); ${serverSaw(evidence.serverSawClientAs as string | undefined)}`,
      evidence,
      measurements,
      durationMs: Date.now() - t0,
      error: ok ? undefined : 'no data moved',
    };
  } catch (err) {
    return failedOutcome(spec, t0, evidence, (err as Error).message);
  } finally {
    if (progress) clearInterval(progress);
    await server.stop();
  }
}

/** The client as the server saw it: iperf3 "Accepted connection from ADDR, port P", iperf 2 "connected with ADDR port P". */
export function peerFromIperfServer(stdout: string): string | undefined {
  return (
    /Accepted connection from ([0-9a-fA-F:.]+), port/.exec(stdout)?.[1] ??
    /connected with ([0-9a-fA-F:.]+) port/.exec(stdout)?.[1]
  );
}

/**
 * "[  5]   1.00-2.00   sec  2.54 GBytes  21.8 Gbits/sec" → the interval and its rate (the SUM line
 * with -P). The -O warm-up's intervals end in "(omitted)" and the counted ones start again at 0;
 * the totals at the end are not intervals.
 */
export function intervalLine(
  line: string,
  summed = false,
): { from: string; to: string; rate: string; omitted: boolean } | undefined {
  const m = /^\[\s*(SUM|\d+)\]\s+([\d.]+)-([\d.]+)\s+sec\s+[\d.]+\s+\w?Bytes\s+([\d.]+ \w?bits\/sec)/.exec(line.trim());
  // the totals at the end ("… receiver") are no interval: the check's own line says them
  if (!m || summed !== (m[1] === 'SUM') || /\b(sender|receiver)\s*$/.test(line)) return undefined;
  return { from: m[2]!, to: m[3]!, rate: m[4]!, omitted: /\(omitted\)\s*$/.test(line) };
}

/**
 * iperf 2, as the README runs it, with its rate in Mbits/sec (-f m): its adaptive units print three
 * digits ("18.7 Gbits/sec"), a 0.5% step at these rates, as large as the differences A/B looks for.
 * Its server keeps running, so it is stopped afterwards.
 */
export async function runIperfCheck(spec: ThroughputCheck): Promise<CheckOutcome> {
  const t0 = Date.now();
  const six = isIP(spec.server.address) === 6 ? ['-V'] : [];
  const server = startBackground(['iperf', '-s', ...six, '-B', spec.server.address, '-p', String(spec.server.port)], {
    netns: spec.server.netns,
  });
  const argv = [
    'iperf',
    ...six,
    ...(spec.enhanced ? ['-e'] : []),
    '-c',
    spec.to,
    '-p',
    String(spec.port),
    '-t',
    String(spec.duration),
    '-f',
    'm',
    ...(spec.window ? ['-w', spec.window] : []),
    ...(spec.parallel > 1 ? ['-P', String(spec.parallel)] : []),
  ];
  const evidence: Record<string, unknown> = { serverCommand: server.argv, clientCommand: argv };
  try {
    await waitListening('iperf', spec.server.netns, spec.server.address, spec.server.port, 'tcp');
    const r = await runCommand(argv, { netns: spec.from, reject: false, timeoutMs: spec.timeoutMs });
    evidence.output = r.stdout.trim().split('\n').slice(-4);
    evidence.serverSawClientAs = peerFromIperfServer(server.output().stdout);
    const parsed = parseIperf2(`${r.stdout}\n${r.stderr}`);
    if (!parsed.ok) return failedOutcome(spec, t0, evidence, `iperf: ${parsed.error}`);
    evidence.result = parsed;
    const source = wrongSource(spec.expectSource, evidence.serverSawClientAs as string | undefined);
    if (source) return failedOutcome(spec, t0, evidence, source);
    const ok = parsed.bitsPerSecond > 0 && !r.failed;
    return {
      name: spec.name,
      kind: 'iperf',
      status: ok ? 'passed' : 'failed',
      summary: `${formatRate(parsed.bitsPerSecond)}; ${serverSaw(evidence.serverSawClientAs as string | undefined)}`,
      evidence,
      measurements: { bits_per_second: parsed.bitsPerSecond, transfer_bytes: parsed.transferBytes },
      durationMs: Date.now() - t0,
      error: ok ? undefined : `iperf exit code ${r.exitCode}`,
    };
  } catch (err) {
    return failedOutcome(spec, t0, evidence, (err as Error).message);
  } finally {
    await server.stop();
  }
}
