import test from 'ava';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OBJECT } from '../../../src/drivers/embedded/index.js';
import { rootSkipReason } from '../../helpers/audit.js';
import { gated } from '../../helpers/gated.js';

const XDP_PASS = 2;
const XDP_TX = 3;
const XDP_REDIRECT = 4;
const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;
const TC_ACT_REDIRECT = 7;
const inner = fileURLToPath(new URL('./test-run-inner.js', import.meta.url));
const why = rootSkipReason() ?? (existsSync(OBJECT) ? undefined : 'bpf/zonlb_xdp.o is not built (npm run setup)');
const gate = gated(why);
const packetTest = gate.concurrent;
const title = (t: string) => gate.title(`BPF_PROG_TEST_RUN: ${t}`);

type Macs = { dst: string; src: string };
type Out = {
  err: number;
  action: number;
  unchanged: boolean;
  sameL3: boolean;
  macs: Macs;
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  checksumsOk?: boolean;
};
type Frag = {
  actions: number[];
  each: { src: string; dst: string; headerOk: boolean; macs: Macs }[];
  whole: { src: string; dst: string; sport: number; dport: number; checksumsOk: boolean };
};
type TooBig = {
  action: number;
  macs: Macs;
  src: string;
  dst: string;
  type: number;
  code: number;
  mtu: number;
  checksumsOk: boolean;
  length: number;
  quoteMatches: boolean;
  quoteLength: number;
};
type OutCase =
  | 'tcpRequest'
  | 'tcpReply'
  | 'vipSourceRequest'
  | 'vipSourceReply'
  | 'udpRequest'
  | 'udpReply'
  | 'icmpRequest'
  | 'unknownFlow'
  | 'noServicePort'
  | 'tcp6Request'
  | 'tcp6Reply'
  | 'dsrRequest'
  | 'dsr6Request'
  | 'dsrReply'
  | 'strayFragment'
  | 'fitting'
  | 'localRequest'
  | 'localReply'
  | 'notLocalReply'
  | 'tcRequest'
  | 'tcReply'
  | 'tcUdp'
  | 'tcTcp6'
  | 'tcUdp6'
  | 'fwdRequest'
  | 'fwdReply'
  | 'fwdGso'
  | 'fwdLocal'
  | 'fwd6Request'
  | 'fwdUnknown';
let r: Record<OutCase, Out> & {
  macs: Record<string, string>;
  truncated: { n: number; err: number; action: number }[];
  keptHop: Out[];
  fragments4: Frag;
  fragments6: Frag;
  icmpFragments: Frag;
  tooBig4: TooBig;
  tooBig6: TooBig;
  serviceCounts: Record<string, { requests: number; replies: number }>;
  beforeFlush: Out[];
  noServicePortCounted: Record<string, number>;
  flushed: { deleted: number; reply: Out };
  fwdTooBig: Out & { errors: number };
};
test.before(async () => {
  if (why) return;
  const out = await execa('unshare', ['--net', '--', process.execPath, inner]);
  r = JSON.parse(out.stdout);
});

packetTest(
  title(
    'a TCP request is translated to the backend with src_ip and redirected to its link, checksums verified from scratch',
  ),
  (t) => {
    t.like(r.tcpRequest, {
      err: 0,
      action: XDP_REDIRECT,
      src: '10.2.0.1',
      dst: '10.2.0.2',
      sport: 40000,
      dport: 223,
      checksumsOk: true,
    });
    t.deepEqual(r.tcpRequest.macs, { dst: '02:00:00:00:02:02', src: r.macs.veth2 });
  },
);

packetTest(
  title("the flow's later packets go out with the same link and MACs, from the FIB answer kept beside the flow"),
  (t) => {
    for (const c of r.keptHop)
      t.like(c, {
        action: XDP_REDIRECT,
        dst: '10.2.0.2',
        dport: 223,
        checksumsOk: true,
        macs: { dst: '02:00:00:00:02:02', src: r.macs.veth2 },
      });
  },
);

packetTest(title('the reply after a request is translated back to VIP → client, toward the client'), (t) => {
  t.like(r.tcpReply, {
    action: XDP_REDIRECT,
    src: '10.0.0.1',
    dst: '10.0.0.2',
    sport: 23,
    dport: 40000,
    checksumsOk: true,
    macs: { dst: '02:00:00:00:00:02', src: r.macs.veth0 },
  });
  t.like(r.udpReply, {
    action: XDP_REDIRECT,
    src: '10.0.0.1',
    dst: '10.0.0.2',
    sport: 23,
    dport: 40001,
    checksumsOk: true,
  });
  t.like(r.tcp6Reply, {
    action: XDP_REDIRECT,
    src: '2001:db8:0:0:0:0:0:1',
    dst: '2001:db8:0:0:0:0:0:2',
    sport: 23,
    dport: 40003,
    checksumsOk: true,
  });
});

packetTest(
  title(
    'a backend without src_ip sees the VIP as the source, as zon-lb has it; its reply to the VIP goes back to the client',
  ),
  (t) => {
    t.like(r.vipSourceRequest, {
      action: XDP_REDIRECT,
      src: '10.0.0.1',
      dst: '10.2.0.2',
      sport: 40020,
      dport: 225,
      checksumsOk: true,
    });
    t.like(r.vipSourceReply, {
      action: XDP_REDIRECT,
      src: '10.0.0.1',
      dst: '10.0.0.2',
      sport: 25,
      dport: 40020,
      checksumsOk: true,
    });
  },
);

packetTest(title('UDP (odd payload), ICMP echo and IPv6 TCP keep valid checksums'), (t) => {
  t.like(r.udpRequest, { dst: '10.2.0.2', dport: 223, checksumsOk: true });
  t.like(r.icmpRequest, { src: '10.2.0.1', dst: '10.2.0.2', checksumsOk: true });
  t.like(r.tcp6Request, { src: '2001:db8:0:0:0:0:2:1', dst: '2001:db8:0:0:0:0:2:2', dport: 223, checksumsOk: true });
});

packetTest(title('an unknown flow passes untouched, truncated packets pass and are never rewritten'), (t) => {
  t.like(r.unknownFlow, { action: XDP_PASS, unchanged: true });
  for (const c of r.truncated) t.true(c.err !== 0 || c.action === XDP_PASS, `length ${c.n}: ${JSON.stringify(c)}`);
});

packetTest(
  title("L2 DSR rewrites only the MACs (IPv4 and IPv6) and leaves the backend's reply from the VIP alone"),
  (t) => {
    for (const c of [r.dsrRequest, r.dsr6Request]) {
      t.like(c, { action: XDP_REDIRECT, sameL3: true, checksumsOk: true });
      t.deepEqual(c.macs, { dst: '02:00:00:00:02:02', src: r.macs.veth2 });
    }
    t.like(r.dsrReply, { action: XDP_PASS, unchanged: true });
  },
);

packetTest(
  title(
    'fragments follow their first fragment to its backend (IPv4 and IPv6, UDP and ICMP): the reassembled datagram checks out',
  ),
  (t) => {
    for (const [f, backend, src] of [
      [r.fragments4, '10.2.0.2', '10.2.0.1'],
      [r.fragments6, '2001:db8:0:0:0:0:2:2', '2001:db8:0:0:0:0:2:1'],
      [r.icmpFragments, '10.2.0.2', '10.2.0.1'],
    ] as const) {
      t.deepEqual(f.actions, [XDP_REDIRECT, XDP_REDIRECT]);
      for (const each of f.each)
        t.like(each, { src, dst: backend, headerOk: true, macs: { dst: '02:00:00:00:02:02' } });
      t.like(f.whole, { src, dst: backend, checksumsOk: true });
    }
    t.like(r.fragments4.whole, { sport: 40007, dport: 223 });
    t.like(
      r.strayFragment,
      { action: XDP_PASS, unchanged: true },
      'a fragment of no tracked datagram passes untouched',
    );
  },
);

packetTest(
  title("a datagram larger than the backend link's MTU is answered with ICMP frag-needed / packet-too-big quoting it"),
  (t) => {
    t.like(r.tooBig4, {
      action: XDP_TX,
      src: '10.0.0.1',
      dst: '10.0.0.2',
      type: 3,
      code: 4,
      mtu: 1310,
      checksumsOk: true,
      length: 70,
      quoteMatches: true,
      quoteLength: 28,
    });
    t.like(r.tooBig6, {
      action: XDP_TX,
      src: '2001:db8:0:0:0:0:0:1',
      dst: '2001:db8:0:0:0:0:0:2',
      type: 2,
      code: 0,
      mtu: 1310,
      checksumsOk: true,
      quoteMatches: true,
      quoteLength: 104,
    });
    for (const c of [r.tooBig4, r.tooBig6])
      t.deepEqual(c.macs, { dst: '02:00:00:00:00:01', src: '02:00:00:00:00:02' }, 'back where it came from');
    t.like(r.fitting, { action: XDP_REDIRECT, dst: '10.4.0.2', checksumsOk: true }, 'one that fits goes through');
  },
);

packetTest(
  title('a backend on this host: the request goes to the local stack, tc egress translates its reply back'),
  (t) => {
    t.like(r.localRequest, { action: XDP_PASS, dst: '127.0.0.23', dport: 8080, checksumsOk: true });
    t.like(r.localReply, {
      err: 0,
      action: 0,
      src: '10.0.0.1',
      dst: '10.0.0.2',
      sport: 80,
      dport: 40013,
      checksumsOk: true,
    });
    t.like(r.notLocalReply, { action: 0, unchanged: true }, 'tc leaves the replies XDP translates');
  },
);

packetTest(
  title(
    'every backend on this host: tc ingress translates the request in place (TC_ACT_OK; TCP, UDP, IPv4, IPv6), tc egress its reply',
  ),
  (t) => {
    t.like(r.tcRequest, {
      err: 0,
      action: 0,
      src: '10.0.0.2',
      dst: '127.0.0.23',
      sport: 40014,
      dport: 8080,
      checksumsOk: true,
    });
    t.like(r.tcReply, {
      err: 0,
      action: 0,
      src: '10.0.0.1',
      dst: '10.0.0.2',
      sport: 80,
      dport: 40014,
      checksumsOk: true,
    });
    t.like(
      r.tcUdp,
      { err: 0, action: 0, src: '10.2.0.1', dst: '10.2.0.2', sport: 40015, dport: 223, checksumsOk: true },
      'UDP, odd payload',
    );
    t.like(
      r.tcTcp6,
      { err: 0, action: 0, src: '2001:db8:0:0:0:0:2:1', dst: '2001:db8:0:0:0:0:2:2', dport: 223, checksumsOk: true },
      'IPv6 TCP',
    );
    t.like(
      r.tcUdp6,
      { err: 0, action: 0, src: '2001:db8:0:0:0:0:2:1', dst: '2001:db8:0:0:0:0:2:2', dport: 223, checksumsOk: true },
      'IPv6 UDP',
    );
  },
);

packetTest(
  title(
    "backends behind links, on skbs (zonlb_tc_fwd): requests and replies translated and redirected (TC_ACT_REDIRECT) with the next hop's MACs; a GSO packet whose segments fit goes whole, one too big is dropped and counted",
  ),
  (t) => {
    const toBackend = { dst: '02:00:00:00:02:02', src: r.macs.veth2 };
    t.like(r.fwdRequest, {
      err: 0,
      action: TC_ACT_REDIRECT,
      src: '10.2.0.1',
      dst: '10.2.0.2',
      sport: 40040,
      dport: 226,
      checksumsOk: true,
    });
    t.deepEqual(r.fwdRequest.macs, toBackend);
    t.like(r.fwdReply, { err: 0, action: TC_ACT_REDIRECT, src: '10.0.0.1', dst: '10.0.0.2', sport: 26, dport: 40040 });
    t.true(r.fwdReply.checksumsOk);
    t.deepEqual(r.fwdReply.macs, { dst: '02:00:00:00:00:02', src: r.macs.veth0 });
    t.like(r.fwdGso, { err: 0, action: TC_ACT_REDIRECT, dst: '10.2.0.2', dport: 226, checksumsOk: true }, 'GSO');
    t.like(r.fwdTooBig, { err: 0, action: TC_ACT_SHOT, errors: 1 }, 'the same bytes as one packet');
    t.like(
      r.fwd6Request,
      {
        action: TC_ACT_REDIRECT,
        src: '2001:db8:0:0:0:0:2:1',
        dst: '2001:db8:0:0:0:0:2:2',
        dport: 223,
        checksumsOk: true,
      },
      'IPv6',
    );
    t.like(r.fwdLocal, { action: TC_ACT_OK, dst: '127.0.0.23', dport: 8080, checksumsOk: true }, 'a local backend');
    t.like(r.fwdUnknown, { action: TC_ACT_OK, unchanged: true }, 'no service');
  },
);

packetTest(
  title('per-service counts: requests and replies per group, fragments counted, DSR replies and ICMP answers not'),
  (t) => {
    t.deepEqual(r.serviceCounts, {
      1: { requests: 3, replies: 1 },
      2: { requests: 4, replies: 1 }, // a datagram, the two fragments of another, one through tc
      3: { requests: 3, replies: 0 },
      4: { requests: 3, replies: 1 }, // one through tc_fwd
      5: { requests: 1, replies: 0 }, // DSR: the reply went around the balancer
      6: { requests: 1, replies: 0 },
      7: { requests: 3, replies: 0 },
      8: { requests: 1, replies: 0 }, // the one that fit; the one answered with ICMP is not the service's
      9: { requests: 0, replies: 0 },
      10: { requests: 3, replies: 2 }, // XDP's, tc ingress's and tc_fwd's requests, two replies counted by tc egress
      11: { requests: 1, replies: 1 },
      12: { requests: 2, replies: 1 }, // tc_fwd: a packet and a GSO packet; the one too big is not the service's
    });
  },
);

packetTest(
  title(
    "after a flush of conntrack a flow is unknown, though a CPU kept a copy of its entry (the program's flow cache)",
  ),
  (t) => {
    for (const c of r.beforeFlush) t.like(c, { action: XDP_REDIRECT, src: '10.0.0.1', dst: '10.0.0.2' });
    t.true(r.flushed.deleted > 0);
    t.like(r.flushed.reply, { err: 0, action: XDP_PASS, unchanged: true });
  },
);

packetTest(
  title(
    "a packet to no service's port, from none a reply comes from, passes untouched, counted as a conntrack miss passed (as before the filter)",
  ),
  (t) => {
    t.like(r.noServicePort, { err: 0, action: XDP_PASS, unchanged: true });
    t.deepEqual(r.noServicePortCounted, { packets: 1, matched: 0, ct_misses: 1, passed: 1 });
  },
);
