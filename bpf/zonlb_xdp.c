// zonlab's embedded load balancer: XDP full NAT (or L2 DSR) with connection tracking, for the
// zonlb.toml subset zon-lb's examples use. A packet to a service (VIP, protocol, port) gets a backend
// chosen by a hash of its flow; the flow is tracked, so its later packets, fragments and replies are
// found and translated. Rewritten packets go out by bpf_fib_lookup + bpf_redirect, or into the local
// stack (XDP_PASS) when the new destination is local; the replies of such a local backend are
// translated back by a tc egress program on the same interface. Traffic that matches nothing passes.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/*
 * The ICMP/ICMPv6 echo header, declared here: <linux/icmp.h> pulls in glibc's <sys/socket.h>, which
 * for -target bpf wants the 32-bit glibc headers (gnu/stubs-32.h) that a fresh Debian lacks.
 */
struct echo_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};

/* RFC 8200's fragment header (the kernel's struct frag_hdr is not in the uapi headers) */
struct frag6_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 id;
};

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff
#define MAX_BACKENDS 64
#define MAX_SERVICES 256

struct addr { __u32 w[4]; }; /* IPv4 in w[0], network order */

enum { B_DSR_L2 = 1 };
struct svc_key { struct addr vip; __u16 port; __u8 proto; __u8 family; };
struct backend { struct addr ip; struct addr src; __u16 port; __u8 has_src; __u8 flags; };
/* slot: the service's place in svc_stats (userspace numbers the services of the config) */
struct svc { __u32 count; __u32 slot; struct backend b[MAX_BACKENDS]; };

/* a flow as seen on the wire, and what to do with it */
struct flow { struct addr src; struct addr dst; __u16 sport; __u16 dport; __u8 proto; __u8 family; __u16 pad; };
/*
 * CT_LOCAL: the destination is this host (no FIB lookup); CT_DSR: only the MACs change;
 * CT_VIP_SRC: the source became the VIP (no src_ip), until the backend turns out to be local
 */
enum { CT_REPLY = 1, CT_LOCAL = 2, CT_DSR = 4, CT_VIP_SRC = 8 };
/* for CT_DSR, dst is the backend to look up, not a rewrite */
struct nat { struct addr src; struct addr dst; __u16 sport; __u16 dport; __u32 stat; __u8 flags; __u8 pad[3]; };
/*
 * The FIB's answer for a tracked flow, kept beside it for a while: the link, the MACs and the path
 * MTU, so that most packets need no lookup. Refreshed by whichever CPU finds it stale; they all
 * write what the FIB says, so a reader never sees a mix of two answers unless a route changes.
 */
struct hop { __u64 expires; __u8 macs[12]; __u32 ifindex; __u16 mtu; __u16 pad; }; /* macs: as in an Ethernet header */
struct ct { struct nat nat; struct hop hop; };
#ifndef HOP_TTL_NS
#define HOP_TTL_NS 1000000000ULL /* scripts/bench-xdp-prog.mjs builds it with 0: a FIB lookup every packet */
#endif

/* the first fragment's ports, for the fragments that follow it (they carry no L4 header) */
struct frag_key { struct addr src; struct addr dst; __u32 id; __u8 proto; __u8 family; __u16 pad; };
struct ports { __u16 sport; __u16 dport; };

enum { C_PACKETS, C_MATCHED, C_REDIRECTED, C_PASSED, C_DROPPED, C_CT_INSERTS, C_CT_HITS, C_CT_MISSES, C_FIB_FAILURES, C_ERRORS,
       C_FRAGMENTS, C_FRAGS_UNKNOWN, C_TOO_BIG, C_TC_REPLIES, C_MAX };

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, MAX_SERVICES); __type(key, struct svc_key); __type(value, struct svc); } services SEC(".maps");
/* both directions of 65,536 flows (zon-lb at HEAD tracks 10, which breaks parallel flows) */
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 131072); __type(key, struct flow); __type(value, struct ct); } conntrack SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 8192); __type(key, struct frag_key); __type(value, struct ports); } frags SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, C_MAX); __type(key, __u32); __type(value, __u64); } counters SEC(".maps");
/* packets per service slot and backend, [0] toward the backend, [1] its replies: the proof per check */
struct svc_stat { __u64 packets[2]; };
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, MAX_SERVICES * MAX_BACKENDS); __type(key, __u32); __type(value, struct svc_stat); } svc_stats SEC(".maps");

#include "zonlb_mutants.h"

static __always_inline void count(__u32 i)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &i);
	if (v)
		*v += 1;
}

static __always_inline void count_service(const struct nat *n)
{
	__u32 i = n->stat;
	struct svc_stat *s = bpf_map_lookup_elem(&svc_stats, &i);
	if (s)
		s->packets[n->flags & CT_REPLY] += 1;
}

static __always_inline __u16 csum_fold(__s64 sum)
{
	__u64 s = (__u64)sum;
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~(__u16)s;
}

/* RFC 1624's m' - m as a 32-bit one's complement sum: what the kernel's checksum helpers call a diff */
static __always_inline __u64 csum_diff_words(const __u32 *old, const __u32 *new, int words, __u64 sum)
{
#pragma unroll
	for (int i = 0; i < 4; i++)
		if (i < words)
			sum += (__u32)~old[i] + (__u64)new[i];
	return sum;
}

static __always_inline __u32 csum_diff_fold32(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	return (__u32)((sum & 0xffffffff) + (sum >> 32));
}

/* a full checksum (not a device's partial one) with a diff applied: HC' = ~(~HC + diff) */
static __always_inline void csum_apply(__u16 *check, __u32 diff)
{
	*check = csum_fold((__u64)diff + (__u32)~(__u32)*check);
}

enum { FRAG_NONE, FRAG_FIRST, FRAG_LATER };
enum { P_OK = 0, P_PASS = -1, P_UNKNOWN_FRAG = -2 };

struct parsed {
	void *l3, *l4;    /* l4: NULL in a fragment after the first */
	__u16 *l4check;   /* NULL: no checksum to keep (UDP over IPv4 with 0, later fragments) */
	__u16 *sport, *dport;
	__u32 frag_id;
	__u16 l3len;
	__u8 frag;
	__u8 tos;
	__u8 echo_request;
	__u8 tcp_syn;     /* SYN without ACK: a client opening a connection */
	struct flow f;
};

static __always_inline void frag_key_of(const struct parsed *p, struct frag_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->src = p->f.src;
	k->dst = p->f.dst;
	k->id = p->frag_id;
	k->proto = p->f.proto;
	k->family = p->f.family;
}

static __always_inline int parse(void *data, void *end, struct parsed *p)
{
	struct ethhdr *eth = data;
	void *l4;
	if ((void *)(eth + 1) > end)
		return P_PASS;
	__builtin_memset(&p->f, 0, sizeof(p->f));
	p->frag = FRAG_NONE;
	p->frag_id = 0;
	p->l4check = 0;
	p->sport = 0;
	p->dport = 0;
	p->echo_request = 0;
	p->tcp_syn = 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end || ip->ihl != 5)
			return P_PASS; /* IP options pass untouched */
		p->l3 = ip;
		l4 = ip + 1;
		p->f.family = AF_INET;
		p->f.proto = ip->protocol;
		p->f.src.w[0] = ip->saddr;
		p->f.dst.w[0] = ip->daddr;
		p->l3len = bpf_ntohs(ip->tot_len);
		p->tos = ip->tos;
		if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)) {
			p->frag_id = ip->id;
			p->frag = (ip->frag_off & bpf_htons(IP_OFFSET)) ? FRAG_LATER : FRAG_FIRST;
		}
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return P_PASS;
		p->l3 = ip6;
		l4 = ip6 + 1;
		p->f.family = AF_INET6;
		p->f.proto = ip6->nexthdr; /* extension headers other than a fragment's pass untouched */
		__builtin_memcpy(&p->f.src, &ip6->saddr, 16);
		__builtin_memcpy(&p->f.dst, &ip6->daddr, 16);
		p->l3len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
		p->tos = 0;
		if (ip6->nexthdr == IPPROTO_FRAGMENT) {
			struct frag6_hdr *fh = l4;
			if ((void *)(fh + 1) > end)
				return P_PASS;
			p->f.proto = fh->nexthdr;
			p->frag_id = fh->id;
			p->frag = (fh->frag_off & bpf_htons(0xfff8)) ? FRAG_LATER : FRAG_FIRST;
			l4 = fh + 1;
		}
	} else {
		return P_PASS;
	}
	if (p->frag == FRAG_LATER) {
		struct frag_key k;
		frag_key_of(p, &k);
		struct ports *known = bpf_map_lookup_elem(&frags, &k);
		if (!known)
			return P_UNKNOWN_FRAG;
		p->l4 = 0;
		p->f.sport = known->sport;
		p->f.dport = known->dport;
		return P_OK;
	}
	p->l4 = l4;
	if (p->f.proto == IPPROTO_TCP) {
		struct tcphdr *t = l4;
		if ((void *)(t + 1) > end)
			return P_PASS;
		p->l4check = &t->check; p->sport = &t->source; p->dport = &t->dest;
		p->tcp_syn = t->syn && !t->ack;
	} else if (p->f.proto == IPPROTO_UDP) {
		struct udphdr *u = l4;
		if ((void *)(u + 1) > end)
			return P_PASS;
		p->l4check = (p->f.family == AF_INET && u->check == 0) ? 0 : &u->check;
		p->sport = &u->source; p->dport = &u->dest;
	} else if (p->f.proto == IPPROTO_ICMP || p->f.proto == IPPROTO_ICMPV6) {
		/* echo request and reply: the identifier plays the role of both ports */
		struct echo_hdr *ic = l4;
		if ((void *)(ic + 1) > end)
			return P_PASS;
		__u8 t = ic->type;
		if (!(t == 8 || t == 0 || t == 128 || t == 129))
			return P_PASS;
		p->l4check = &ic->checksum; p->sport = &ic->id; p->dport = &ic->id;
		p->echo_request = t == 8 || t == 128;
	} else {
		return P_PASS;
	}
	p->f.sport = *p->sport;
	p->f.dport = *p->dport;
	return P_OK;
}

static __always_inline int is_icmp(__u8 proto) { return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6; }

/* a first fragment's ports, keyed as its following fragments will arrive (before any rewrite) */
static __always_inline void remember_fragment(const struct parsed *p)
{
	struct frag_key k;
	struct ports v = { .sport = p->f.sport, .dport = p->f.dport };
	frag_key_of(p, &k);
	if (bpf_map_update_elem(&frags, &k, &v, BPF_ANY))
		count(C_ERRORS);
}

/* the checksum diffs of a rewrite: the addresses (in TCP's, UDP's and ICMPv6's pseudo-header) and the ports */
struct l4diff { __u32 addrs; __u32 ports; };

/*
 * Rewrite addresses and ports in place (the IPv4 header's checksum with them) and say by how much
 * the L4 checksum must change: XDP applies that itself, tc leaves it to the kernel's helper, which
 * knows a device's partial checksum. A fragment after the first has only its addresses. The
 * verifier merges the IPv4 and IPv6 paths of parse(): every write is bounds-checked again here.
 */
static __always_inline int rewrite(void *end, struct parsed *p, const struct nat *n, struct l4diff *d)
{
	int words = p->f.family == AF_INET ? 1 : 4;
	d->addrs = csum_diff_fold32(csum_diff_words(p->f.dst.w, n->dst.w, words, csum_diff_words(p->f.src.w, n->src.w, words, 0)));
	d->ports = 0;
	if (p->f.family == AF_INET) {
		struct iphdr *ip = p->l3;
		if ((void *)(ip + 1) > end)
			return -1;
		csum_apply(&ip->check, d->addrs);
		ip->saddr = n->src.w[0];
		ip->daddr = n->dst.w[0];
	} else {
		struct ipv6hdr *ip6 = p->l3;
		if ((void *)(ip6 + 1) > end)
			return -1;
		__builtin_memcpy(&ip6->saddr, &n->src, 16);
		__builtin_memcpy(&ip6->daddr, &n->dst, 16);
	}
	if (!p->sport)
		return 0;
	if ((void *)p->sport + 2 > end || (void *)p->dport + 2 > end)
		return -1;
	if (is_icmp(p->f.proto)) {
		/* the echo identifier, the one "port" */
		d->ports = (__u16)~p->f.sport + (__u32)n->sport;
		*p->sport = n->sport;
		return 0;
	}
	/* sport and dport sit side by side in struct flow, struct nat and the header */
	d->ports = csum_diff_fold32(csum_diff_words((const __u32 *)&p->f.sport, (const __u32 *)&n->sport, 1, 0));
	*p->sport = n->sport;
	*p->dport = n->dport;
	return 0;
}

/* the L4 checksum of a rewrite, for a packet whose checksum is whole (XDP sees no partial ones) */
static __always_inline int rewrite_full(void *end, struct parsed *p, const struct nat *n)
{
	struct l4diff d;
	if (rewrite(end, p, n, &d) < 0)
		return -1;
	if (!p->l4check || MUTANT_STALE_CHECKSUM)
		return 0;
	if ((void *)p->l4check + 2 > end)
		return -1;
	if (p->f.proto != IPPROTO_ICMP)
		csum_apply(p->l4check, d.addrs);
	csum_apply(p->l4check, d.ports);
	if (p->f.proto == IPPROTO_UDP && *p->l4check == 0)
		*p->l4check = 0xffff; /* RFC 768: 0 would mean "no checksum" */
	return 0;
}

static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u8 mac[ETH_ALEN];
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
}

/* the network header of a packet to be answered in place by len bytes; NULL when it is shorter (the bound the verifier asks for) */
static __always_inline void *answer_in_place(struct xdp_md *ctx, __u32 len)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	return data + len > end ? NULL : data + sizeof(struct ethhdr);
}

/* the answer, the packet's first len bytes (l3: its network header), back out the link it came in on */
static __always_inline int send_back(struct xdp_md *ctx, void *l3, int len)
{
	swap_macs((struct ethhdr *)l3 - 1);
	if (bpf_xdp_adjust_tail(ctx, len - (int)(ctx->data_end - ctx->data)))
		return XDP_DROP;
	count(C_TOO_BIG);
	return XDP_TX;
}

#define QUOTE4 (sizeof(struct iphdr) + 8)   /* RFC 792: the header and 64 bits of the datagram */
#define ICMP4_TOO_BIG_LEN (sizeof(struct ethhdr) + sizeof(struct iphdr) + 8 + QUOTE4)

/*
 * RFC 1191 "fragmentation needed" back to the client, built in the packet and sent out the link it
 * came in on (as zon-lb's send_dtb): the client learns the path MTU of the VIP.
 */
static __noinline int too_big4(struct xdp_md *ctx, __u16 mtu)
{
	struct iphdr *ip = answer_in_place(ctx, ICMP4_TOO_BIG_LEN);
	if (!ip)
		return XDP_DROP;
	__u8 *icmp = (void *)(ip + 1);
	/* the quote goes right after the new ICMP header, where the original's payload was: no overlap */
	__builtin_memcpy(icmp + 8, ip, QUOTE4);
	icmp[0] = 3;  /* destination unreachable */
	icmp[1] = 4;  /* fragmentation needed and DF set */
	*(__u16 *)(icmp + 2) = 0;
	*(__u16 *)(icmp + 4) = 0;
	*(__u16 *)(icmp + 6) = bpf_htons(mtu);
	*(__u16 *)(icmp + 2) = csum_fold(bpf_csum_diff(0, 0, (void *)icmp, 8 + QUOTE4, 0));
	__be32 client = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = client;
	ip->tot_len = bpf_htons(sizeof(struct iphdr) + 8 + QUOTE4);
	ip->id = 0;
	ip->frag_off = bpf_htons(0x4000);
	ip->ttl = 64;
	ip->protocol = IPPROTO_ICMP;
	ip->check = 0;
	ip->check = csum_fold(bpf_csum_diff(0, 0, (void *)ip, sizeof(*ip), 0));
	return send_back(ctx, ip, ICMP4_TOO_BIG_LEN);
}

#define QUOTE6 (sizeof(struct ipv6hdr) + 64)   /* as much as zon-lb's send_ptb, far below 1280 */
#define ICMP6_TOO_BIG_PAYLOAD (8 + QUOTE6)
#define ICMP6_TOO_BIG_LEN (sizeof(struct ethhdr) + sizeof(struct ipv6hdr) + ICMP6_TOO_BIG_PAYLOAD)

/* RFC 4443 "packet too big", the same way */
static __noinline int too_big6(struct xdp_md *ctx, __u32 mtu)
{
	struct ipv6hdr *ip6 = answer_in_place(ctx, ICMP6_TOO_BIG_LEN);
	if (!ip6)
		return XDP_DROP;
	__u8 *icmp = (void *)(ip6 + 1);
	/* the quote overlaps the original: move it back to front, 8 bytes at a time */
	__u64 *from = (void *)ip6, *to = (void *)(icmp + 8);
#pragma unroll
	for (int i = QUOTE6 / 8 - 1; i >= 0; i--)
		to[i] = from[i];
	icmp[0] = 2;  /* packet too big */
	icmp[1] = 0;
	*(__u16 *)(icmp + 2) = 0;
	*(__u32 *)(icmp + 4) = bpf_htonl(mtu);
	struct in6_addr client = ip6->saddr;
	ip6->saddr = ip6->daddr;
	ip6->daddr = client;
	ip6->payload_len = bpf_htons(ICMP6_TOO_BIG_PAYLOAD);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = 64;
	__be32 pseudo[2] = { bpf_htonl(ICMP6_TOO_BIG_PAYLOAD), bpf_htonl(IPPROTO_ICMPV6) };
	__s64 sum = bpf_csum_diff(0, 0, (void *)&ip6->saddr, 32, 0);
	sum = bpf_csum_diff(0, 0, pseudo, sizeof(pseudo), sum);
	sum = bpf_csum_diff(0, 0, (void *)icmp, ICMP6_TOO_BIG_PAYLOAD, sum);
	*(__u16 *)(icmp + 2) = csum_fold(sum);
	return send_back(ctx, ip6, ICMP6_TOO_BIG_LEN);
}

/* the flow as it comes back: from where the request went, to whom it appeared to come from */
static __noinline int track(const struct parsed *p, const struct nat *fwd)
{
	struct ct entry = { .nat = *fwd };
	if (bpf_map_update_elem(&conntrack, &p->f, &entry, BPF_ANY))
		return -1;
	count(C_CT_INSERTS);
	if (fwd->flags & CT_DSR)
		return 0; /* the backend answers the client directly */
	struct flow rkey = {};
	rkey.src = fwd->dst;
	rkey.dst = fwd->src;
	rkey.sport = fwd->dport;
	rkey.dport = fwd->sport;
	rkey.proto = p->f.proto;
	rkey.family = p->f.family;
	struct ct rev = {};
	rev.nat.src = p->f.dst;
	rev.nat.dst = p->f.src;
	rev.nat.sport = p->f.dport;
	rev.nat.dport = p->f.sport;
	rev.nat.stat = fwd->stat;
	rev.nat.flags = CT_REPLY | (fwd->flags & CT_LOCAL);
	if (is_icmp(p->f.proto)) {
		rkey.sport = rkey.dport = fwd->sport;
		rev.nat.sport = rev.nat.dport = p->f.sport;
	}
	return bpf_map_update_elem(&conntrack, &rkey, &rev, BPF_ANY) ? -1 : 0;
}

/* a packet toward a service, not yet tracked: its backend, chosen by a hash of the flow */
static __always_inline int open_flow(const struct parsed *p, struct nat *fwd)
{
	struct svc_key k = {};
	k.vip = p->f.dst;
	k.port = is_icmp(p->f.proto) ? 0 : p->f.dport;
	k.proto = p->f.proto;
	k.family = p->f.family;
	struct svc *s = bpf_map_lookup_elem(&services, &k);
	if (!s || s->count == 0)
		return -1;
	/* only a flow's first packet from the client opens it: a reply we do not know is not ours */
	if (is_icmp(p->f.proto) && !p->echo_request)
		return -1;
	__u32 h = MUTANT_HASH(p->f.src.w[0] ^ p->f.src.w[3] ^ ((__u32)p->f.sport << 16) ^ p->f.dport ^ p->f.proto);
	h ^= h >> 16;
	h *= 0x7feb352d;
	h ^= h >> 15;
	__u32 n = s->count > MAX_BACKENDS ? MAX_BACKENDS : s->count;
	__u32 idx = h % n;
	/* clang knows idx < n ≤ 64 and drops a plain mask; the verifier does not: hide idx, then mask */
	asm volatile("" : "+r"(idx));
	idx &= MAX_BACKENDS - 1;
	struct backend *b = &s->b[MUTANT_BACKEND(idx, n) & (MAX_BACKENDS - 1)];
	__builtin_memset(fwd, 0, sizeof(*fwd));
	fwd->stat = (s->slot & (MAX_SERVICES - 1)) * MAX_BACKENDS + idx;
	if (MUTANT_DSR(b->flags)) {
		/* no L3/L4 change: dst says where to look the backend's link and MAC up */
		fwd->flags = CT_DSR;
		fwd->src = p->f.src;
		fwd->dst = b->ip;
		fwd->sport = p->f.sport;
		fwd->dport = p->f.dport;
		return 0;
	}
	/* as zon-lb: src_ip, else the VIP (its main.rs: "ctx4.ctnat.src_addr[0] = ipv4hdr.dst_addr") */
	if (b->has_src) {
		fwd->src = MUTANT_SOURCE(b->src, p->f.src);
	} else {
		fwd->src = p->f.dst;
		fwd->flags = CT_VIP_SRC;
	}
	fwd->dst = b->ip;
	fwd->sport = p->f.sport;
	fwd->dport = (b->port && !is_icmp(p->f.proto)) ? MUTANT_PORT(b->port) : p->f.dport;
	if (is_icmp(p->f.proto))
		fwd->dport = fwd->sport;
	return 0;
}

/* the FIB's answer toward n->dst; with tot_len 0xffff first, for the path MTU (it stops there) */
static __always_inline long lookup_hop(struct xdp_md *ctx, const struct parsed *p, const struct nat *n, __u32 in_if, struct bpf_fib_lookup *fib, __u16 tot_len)
{
	__builtin_memset(fib, 0, sizeof(*fib));
	fib->ifindex = in_if;
	fib->family = p->f.family;
	fib->l4_protocol = p->f.proto;
	fib->tot_len = tot_len;
	if (p->f.family == AF_INET) {
		fib->tos = p->tos;
		fib->ipv4_src = n->src.w[0];
		fib->ipv4_dst = n->dst.w[0];
	} else {
		__builtin_memcpy(fib->ipv6_src, &n->src, 16);
		__builtin_memcpy(fib->ipv6_dst, &n->dst, 16);
	}
	return bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
}

/* field by field: clang 14 leaves the MACs, link and MTU out of a struct assignment (or memcpy) here */
static __always_inline void copy_hop(struct hop *to, const struct hop *from)
{
	__builtin_memcpy(to->macs, from->macs, sizeof(to->macs));
	to->ifindex = from->ifindex;
	to->mtu = from->mtu;
	to->expires = from->expires;
}

/* where a flow's packets go: its kept hop while fresh, else the FIB (kept when it names a link) */
static __always_inline long route(struct xdp_md *ctx, const struct parsed *p, const struct nat *n, struct ct *known, struct hop *hop)
{
	__u32 in_if = ctx->ingress_ifindex; /* read once: the verifier refuses ctx + 12 kept by the compiler */
	__u64 now = bpf_ktime_get_coarse_ns();
	if (known && known->hop.expires > now) {
		copy_hop(hop, &known->hop);
		return BPF_FIB_LKUP_RET_SUCCESS;
	}
	struct bpf_fib_lookup fib;
	long rc = lookup_hop(ctx, p, n, in_if, &fib, 0xffff);
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED) {
		/* known even when the neighbour is not: a packet too big is answered before it is resolved */
		hop->mtu = fib.mtu_result;
		rc = lookup_hop(ctx, p, n, in_if, &fib, 0);
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return rc;
	hop->ifindex = fib.ifindex;
	__builtin_memcpy(hop->macs, fib.dmac, ETH_ALEN);
	__builtin_memcpy(hop->macs + ETH_ALEN, fib.smac, ETH_ALEN);
	hop->expires = now + HOP_TTL_NS;
	if (known)
		copy_hop(&known->hop, hop);
	return rc;
}

/*
 * A flow whose backend is this host's: a reply to the VIP (an address of this host) would never
 * leave it to be translated back, so such a backend sees the client's own address (zon-lb passes
 * these packets on untranslated: its FIB lookup does not forward them).
 */
static __always_inline void to_local(const struct parsed *p, struct nat *n)
{
	n->flags |= CT_LOCAL;
	if (n->flags & CT_VIP_SRC)
		n->src = p->f.src;
}

/*
 * Where the translated packet goes: the local stack, or out of the link the FIB names; a packet
 * larger than that link's MTU is answered with ICMP instead, as zon-lb does. A new flow is tracked
 * only once it is known to go somewhere.
 */
static __always_inline int deliver(struct xdp_md *ctx, struct parsed *p, struct nat *n, struct ct *known)
{
	void *end = (void *)(long)ctx->data_end;
	long rc = BPF_FIB_LKUP_RET_NOT_FWDED;
	struct hop hop = { .mtu = 0xffff };
	if (!(n->flags & CT_LOCAL)) {
		rc = route(ctx, p, n, known, &hop);
		if (p->l3len > hop.mtu)
			return MUTANT_TOO_BIG(p->f.family == AF_INET ? too_big4(ctx, hop.mtu) : too_big6(ctx, hop.mtu));
	}
	if (!known) {
		/* not forwarded, or the link does not forward: only this host can take it */
		if ((rc == BPF_FIB_LKUP_RET_NOT_FWDED || rc == BPF_FIB_LKUP_RET_FWD_DISABLED) && !(n->flags & CT_DSR))
			to_local(p, n);
		if (track(p, n) < 0) {
			count(C_ERRORS);
			return XDP_PASS;
		}
	}
	if (p->frag == FRAG_FIRST)
		remember_fragment(p);
	if (p->frag != FRAG_NONE)
		count(C_FRAGMENTS);
	if (!(n->flags & CT_DSR) && !MUTANT_SKIPS_REWRITE(n) && rewrite_full(end, p, n) < 0) {
		count(C_ERRORS);
		return XDP_DROP;
	}
	count_service(n);
	if (MUTANT_DROPS(n))
		return XDP_DROP;
	if (rc == BPF_FIB_LKUP_RET_SUCCESS) {
		void *data = (void *)(long)ctx->data;
		struct ethhdr *eth = data;
		if ((void *)(eth + 1) > end) {
			count(C_ERRORS);
			return XDP_DROP;
		}
		__builtin_memcpy(eth, hop.macs, 2 * ETH_ALEN);
		count(C_REDIRECTED);
		if (hop.ifindex == ctx->ingress_ifindex)
			return XDP_TX;
		return bpf_redirect(hop.ifindex, 0);
	}
	if (rc != BPF_FIB_LKUP_RET_NOT_FWDED && rc != BPF_FIB_LKUP_RET_FWD_DISABLED)
		count(C_FIB_FAILURES);
	if (n->flags & CT_DSR) {
		/* the packet still says VIP, an address of this host: the local stack would answer it */
		count(C_DROPPED);
		return XDP_DROP;
	}
	/* this host's own destination, or a next hop the kernel resolves as it forwards this packet */
	count(C_PASSED);
	return XDP_PASS;
}

/*
 * A packet of a service: its flow's translation, tracked (*known) or just chosen; -1 (counted as
 * passed) for anything else, which goes on untouched.
 */
static __always_inline int classify(void *data, void *end, struct parsed *p, struct nat *n, struct ct **known)
{
	count(C_PACKETS);
	int r = parse(data, end, p);
	if (r != P_OK) {
		if (r == P_UNKNOWN_FRAG)
			count(C_FRAGS_UNKNOWN);
		count(C_PASSED);
		return -1;
	}
	*known = bpf_map_lookup_elem(&conntrack, &p->f);
	if (*known && MUTANT_FORGETS(*known))
		*known = 0;
	/*
	 * A new connection on a tuple still tracked (a client reusing a source port) opens afresh, as the
	 * kernel's conntrack reopens a closed flow: a backend removed since gets no new connection.
	 */
	if (*known && p->tcp_syn && !((*known)->nat.flags & CT_REPLY))
		*known = NULL;
	if (*known) {
		*n = (*known)->nat;
		count(C_CT_HITS);
	} else {
		count(C_CT_MISSES);
		if (p->frag == FRAG_LATER || open_flow(p, n) < 0) {
			count(C_PASSED);
			return -1;
		}
	}
	count(C_MATCHED);
	return 0;
}

SEC("xdp")
int zonlb_xdp(struct xdp_md *ctx)
{
	struct parsed p;
	struct nat n;
	struct ct *known;
	if (classify((void *)(long)ctx->data, (void *)(long)ctx->data_end, &p, &n, &known) < 0)
		return XDP_PASS;
	return deliver(ctx, &p, &n, known);
}

/*
 * The headers parse() reads in the linear part, where direct access reaches them; pulled only when
 * they are not there already (a pull moves payload into the head, and may copy it).
 */
static __always_inline void pull_headers(struct __sk_buff *skb, void **data, void **end)
{
	__u32 want = sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct tcphdr);
	*data = (void *)(long)skb->data;
	*end = (void *)(long)skb->data_end;
	if (skb->protocol == bpf_htons(ETH_P_IPV6))
		want = sizeof(struct ethhdr) + sizeof(struct ipv6hdr) + sizeof(struct frag6_hdr) + sizeof(struct tcphdr);
	if (want > skb->len)
		want = skb->len;
	if (*data + want > *end) {
		bpf_skb_pull_data(skb, want);
		*data = (void *)(long)skb->data;
		*end = (void *)(long)skb->data_end;
	}
}

/*
 * Addresses and ports as the flow's nat says, on an skb: written in place (the program's direct
 * writes make a shared packet's headers its own first), then the L4 checksum through the kernel's
 * helper, which keeps it right whatever its state (a locally sent packet's is often left to the
 * device: CHECKSUM_PARTIAL). No packet pointer is used after the helpers: they may move the data.
 */
static __always_inline int skb_translate(struct __sk_buff *skb, void *data, void *end, struct parsed *p, const struct nat *n)
{
	__u32 check = p->l4check ? (void *)p->l4check - data : 0;
	__u64 l4flags = p->f.proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;
	struct l4diff d;
	if (rewrite(end, p, n, &d) < 0)
		return -1;
	if (!check || MUTANT_STALE_CHECKSUM)
		return 0;
	if (p->f.proto != IPPROTO_ICMP)
		bpf_l4_csum_replace(skb, check, 0, d.addrs, BPF_F_PSEUDO_HDR | l4flags);
	if (d.ports)
		bpf_l4_csum_replace(skb, check, 0, d.ports, l4flags);
	return 0;
}

/* what both tc programs do with a packet of a flow: a first fragment remembered, the rewrite, the counts */
static __always_inline int tc_rewrite(struct __sk_buff *skb, void *data, void *end, struct parsed *p, const struct nat *n, __u32 counter)
{
	if (p->frag == FRAG_FIRST)
		remember_fragment(p);
	if (!MUTANT_SKIPS_REWRITE(n) && skb_translate(skb, data, end, p, n) < 0) {
		count(C_ERRORS);
		return TC_ACT_OK;
	}
	count_service(n);
	if (MUTANT_DROPS(n))
		return TC_ACT_SHOT;
	count(counter);
	return TC_ACT_OK;
}

/* The replies of a backend on this host (the README's 127.0.0.23) leave through the stack: translated back as they leave. */
SEC("tc")
int zonlb_tc_out(struct __sk_buff *skb)
{
	struct parsed p;
	void *data, *end;
	pull_headers(skb, &data, &end);
	if (parse(data, end, &p) != P_OK)
		return TC_ACT_OK;
	struct ct *known = bpf_map_lookup_elem(&conntrack, &p.f);
	if (!known || !(known->nat.flags & CT_LOCAL) || !(known->nat.flags & CT_REPLY))
		return TC_ACT_OK;
	struct nat n = known->nat;
	return tc_rewrite(skb, data, end, &p, &n, C_TC_REPLIES);
}

/*
 * Requests when every backend is on this host: the packet goes up the local stack either way, and
 * an skb program rewrites its headers in place, where an XDP program on a veth gets locally sent
 * TCP only as a copy (generic and native mode alike).
 */
SEC("tc")
int zonlb_tc_in(struct __sk_buff *skb)
{
	struct parsed p;
	struct nat n;
	void *data, *end;
	struct ct *known;
	pull_headers(skb, &data, &end);
	if (classify(data, end, &p, &n, &known) < 0)
		return TC_ACT_OK;
	if (!known) {
		to_local(&p, &n);
		if (track(&p, &n) < 0) {
			count(C_ERRORS);
			return TC_ACT_OK;
		}
	}
	if (p.frag != FRAG_NONE)
		count(C_FRAGMENTS);
	return tc_rewrite(skb, data, end, &p, &n, C_PASSED);
}

char _license[] SEC("license") = "GPL";
