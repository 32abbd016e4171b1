import test from 'ava';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OBJECT } from '../../src/drivers/embedded/index.js';
import { rootSkipReason } from '../helpers/audit.js';

const XDP_PASS = 2;
const inner = fileURLToPath(new URL('./test-run-inner.js', import.meta.url));
const why = rootSkipReason() ?? (existsSync(OBJECT) ? undefined : 'bpf/zonlb_xdp.o is not built (npm run setup)');
const packetTest = why ? test.skip : test;

type Out = { err: number; action: number; unchanged: boolean; src?: string; dst?: string; sport?: number; dport?: number; checksumsOk?: boolean };
let results: Record<string, Out & { length?: number }> & { truncated?: { n: number; err: number; action: number }[] };
test.before(async () => {
  if (why) return;
  const r = await execa('unshare', ['--net', '--', process.execPath, inner]);
  results = JSON.parse(r.stdout);
});

packetTest(`BPF_PROG_TEST_RUN: a TCP request is translated to the backend with src_ip, checksums verified from scratch${why ? ` [skipped: ${why}]` : ''}`, (t) => {
  const r = results.tcpRequest!;
  t.is(r.err, 0);
  t.is(r.action, XDP_PASS, 'no route in the test namespace: the FIB lookup fails and the rewritten packet passes');
  t.like(r, { src: '10.2.0.1', dst: '10.2.0.2', sport: 40000, dport: 223, checksumsOk: true });
});

packetTest(`BPF_PROG_TEST_RUN: the reply after a request is translated back to VIP → client${why ? ` [skipped: ${why}]` : ''}`, (t) => {
  t.like(results.tcpReply!, { src: '10.0.0.1', dst: '10.0.0.2', sport: 23, dport: 40000, checksumsOk: true });
  t.like(results.udpReply!, { src: '10.0.0.1', dst: '10.0.0.2', sport: 23, dport: 40001, checksumsOk: true });
});

packetTest(`BPF_PROG_TEST_RUN: UDP (odd payload), ICMP echo and IPv6 TCP keep valid checksums${why ? ` [skipped: ${why}]` : ''}`, (t) => {
  t.like(results.udpRequest!, { dst: '10.2.0.2', dport: 223, checksumsOk: true });
  t.like(results.icmpRequest!, { src: '10.2.0.1', dst: '10.2.0.2', checksumsOk: true });
  t.like(results.tcp6Request!, { src: '2001:db8:0:0:0:0:2:1', dst: '2001:db8:0:0:0:0:2:2', dport: 223, checksumsOk: true });
  t.like(results.tcp6Reply!, { src: '2001:db8:0:0:0:0:0:1', dst: '2001:db8:0:0:0:0:0:2', sport: 23, dport: 40003, checksumsOk: true });
});

packetTest(`BPF_PROG_TEST_RUN: an unknown flow passes untouched, truncated packets pass and are never rewritten${why ? ` [skipped: ${why}]` : ''}`, (t) => {
  t.like(results.unknownFlow!, { action: XDP_PASS, unchanged: true });
  for (const c of results.truncated!) t.true(c.err !== 0 || c.action === XDP_PASS, `length ${c.n}: ${JSON.stringify(c)}`);
});
