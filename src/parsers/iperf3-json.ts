/**
 * iperf3 -J output, read defensively (facts from iperf3's issue tracker): warnings may stand before
 * or after the JSON object, some versions print it twice, old ones print -nan, and -J can exit 0
 * when the test failed, with the reason in a top-level "error" field.
 */
export interface Iperf3Interval {
  start: number;
  end: number;
  bitsPerSecond: number;
  retransmits?: number;
  omitted: boolean;
}

export interface Iperf3Stream {
  bitsPerSecondSent?: number;
  bitsPerSecondReceived?: number;
  retransmits?: number;
}

export interface Iperf3Ok {
  ok: true;
  version?: string;
  protocol: 'TCP' | 'UDP';
  reverse: boolean;
  streams: number;
  duration: number;
  omit: number;
  local?: { host: string; port: number };
  remote?: { host: string; port: number };
  bitsPerSecondSent: number;
  bitsPerSecondReceived: number;
  retransmits?: number;
  cpu?: { hostTotal: number; remoteTotal: number };
  udp?: { jitterMs: number; lostPackets: number; packets: number; lostPercent: number | null };
  perStream: Iperf3Stream[];
  intervals: Iperf3Interval[];
}

export interface Iperf3Failed {
  ok: false;
  error: string;
}

export type Iperf3Result = Iperf3Ok | Iperf3Failed;

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function parseIperf3(raw: string): Iperf3Result {
  const doc = lastJsonObject(raw);
  if (!doc) {
    const text = raw
      .trim()
      .split('\n')
      .filter((l) => l.trim())
      .slice(-3)
      .join(' | ');
    return { ok: false, error: text ? `no iperf3 JSON in the output: ${text}` : 'iperf3 printed nothing' };
  }
  if (typeof doc.error === 'string') return { ok: false, error: doc.error };
  const end: J = doc.end ?? {};
  const start: J = doc.start ?? {};
  const test: J = start.test_start ?? {};
  const udp = test.protocol === 'UDP';
  const sent: J | undefined = udp ? end.sum : end.sum_sent;
  const received: J | undefined = udp ? (end.sum_received ?? end.sum) : end.sum_received;
  if (!sent || !received) return { ok: false, error: 'iperf3 JSON has no end summary (the test did not complete)' };
  const conn: J | undefined = start.connected?.[0];
  return {
    ok: true,
    version: start.version,
    protocol: udp ? 'UDP' : 'TCP',
    reverse: Boolean(test.reverse),
    streams: Number(test.num_streams ?? 1),
    duration: Number(test.duration ?? 0),
    omit: Number(test.omit ?? 0),
    local: conn ? { host: conn.local_host, port: conn.local_port } : undefined,
    remote: conn ? { host: conn.remote_host, port: conn.remote_port } : undefined,
    bitsPerSecondSent: num(sent.bits_per_second),
    bitsPerSecondReceived: num(received.bits_per_second),
    retransmits: typeof sent.retransmits === 'number' ? sent.retransmits : undefined,
    cpu: end.cpu_utilization_percent
      ? {
          hostTotal: num(end.cpu_utilization_percent.host_total),
          remoteTotal: num(end.cpu_utilization_percent.remote_total),
        }
      : undefined,
    udp: udp
      ? {
          jitterMs: num(sent.jitter_ms),
          lostPackets: num(sent.lost_packets),
          packets: num(sent.packets),
          lostPercent: Number.isFinite(sent.lost_percent) ? sent.lost_percent : null,
        }
      : undefined,
    perStream: (end.streams ?? []).map((s: J) => ({
      bitsPerSecondSent: (udp ? s.udp : s.sender)?.bits_per_second,
      bitsPerSecondReceived: (udp ? s.udp : s.receiver)?.bits_per_second,
      retransmits: s.sender?.retransmits,
    })),
    intervals: (doc.intervals ?? []).map((i: J) => ({
      start: num(i.sum?.start),
      end: num(i.sum?.end),
      bitsPerSecond: num(i.sum?.bits_per_second),
      retransmits: i.sum?.retransmits,
      omitted: Boolean(i.sum?.omitted),
    })),
  };
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number.NaN;
}

/** The last complete top-level JSON object in the text; nan/inf outside strings become null. */
export function lastJsonObject(raw: string): J | undefined {
  const objects: string[] = [];
  let depth = 0;
  let startAt = -1;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"' && depth > 0) inString = true;
    else if (c === '{') {
      if (depth++ === 0) startAt = i;
    } else if (c === '}' && depth > 0 && --depth === 0) objects.push(raw.slice(startAt, i + 1));
  }
  for (const text of objects.reverse()) {
    try {
      return JSON.parse(text.replace(/(:\s*)-?(nan|inf(inity)?)\b/gi, '$1null')) as J;
    } catch {
      /* a fragment that only looked like JSON */
    }
  }
  return undefined;
}
