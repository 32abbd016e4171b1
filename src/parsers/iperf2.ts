/** iperf 2 client output: its human report or `-y C` CSV. */
export type Iperf2Result =
  | { ok: true; bitsPerSecond: number; transferBytes: number; seconds: number; streams: number }
  | { ok: false; error: string };

// iperf 2 prints Transfer in powers of 1024 and Bandwidth in powers of 1000 (its -f adaptive units).
const BYTES: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };
const BITS: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

export function parseIperf2(raw: string): Iperf2Result {
  const csv = raw.split('\n').filter((l) => /^\d{14}(\.\d+)?,/.test(l.trim()) || /^\d{8}T?\d{6}/.test(l.trim()));
  if (csv.length) {
    const rows = csv.map((l) => l.trim().split(','));
    // the summary row: id -1 with several streams, else the row spanning the whole test
    const sum = rows.find((r) => r[5] === '-1') ?? rows[rows.length - 1]!;
    const [from, to] = (sum[6] ?? '0-0').split('-').map(Number);
    const streams = new Set(rows.map((r) => r[5]).filter((id) => id !== '-1')).size || 1;
    return {
      ok: true,
      bitsPerSecond: Number(sum[8]),
      transferBytes: Number(sum[7]),
      seconds: (to ?? 0) - (from ?? 0),
      streams,
    };
  }
  const lines = raw.split('\n');
  const re =
    /^\[\s*(SUM|\d+)\]\s+([\d.]+)-\s*([\d.]+)\s+sec\s+([\d.]+)\s+([KMGT]?)Bytes\s+([\d.]+)\s+([KMGT]?)bits\/sec/;
  const reports = lines.map((l) => re.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  if (!reports.length) {
    const err = lines.find((l) => /connect failed|error|refused|unreachable/i.test(l));
    return { ok: false, error: err?.trim() ?? 'no bandwidth report in the iperf output' };
  }
  const sum = reports.find((m) => m[1] === 'SUM');
  const ids = new Set(reports.filter((m) => m[1] !== 'SUM').map((m) => m[1]));
  // the final report spans the whole test: the longest interval
  const pick = sum ? reports.filter((m) => m[1] === 'SUM') : reports;
  const best = pick.reduce((a, b) => (Number(b[3]) - Number(b[2]) >= Number(a[3]) - Number(a[2]) ? b : a));
  return {
    ok: true,
    bitsPerSecond: Number(best[6]) * BITS[best[7]!]!,
    transferBytes: Number(best[4]) * BYTES[best[5]!]!,
    seconds: Number(best[3]) - Number(best[2]),
    streams: Math.max(ids.size, 1),
  };
}
