// zonlab's embedded load balancer: XDP full NAT with connection tracking, for the zonlb.toml subset
// zon-lb's examples use. A packet to a service (VIP, protocol, port) gets a backend chosen by a hash
// of its flow; both directions of the flow are then tracked, so replies are found and translated
// back. Rewritten packets go out by bpf_fib_lookup + bpf_redirect, or into the local stack
// (XDP_PASS) when the new destination is local. Traffic that matches nothing passes untouched.
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

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif
#define MAX_BACKENDS 64

struct addr { __u32 w[4]; }; /* IPv4 in w[0], network order */

struct svc_key { struct addr vip; __u16 port; __u8 proto; __u8 family; };
struct backend { struct addr ip; struct addr src; __u16 port; __u8 has_src; __u8 pad; };
struct svc { __u32 count; __u32 pad; struct backend b[MAX_BACKENDS]; };

/* a flow as seen on the wire, and what to rewrite it to */
struct flow { struct addr src; struct addr dst; __u16 sport; __u16 dport; __u8 proto; __u8 family; __u16 pad; };
struct nat { struct addr src; struct addr dst; __u16 sport; __u16 dport; __u32 pad; };

enum { C_PACKETS, C_MATCHED, C_REDIRECTED, C_PASSED, C_DROPPED, C_CT_INSERTS, C_CT_HITS, C_CT_MISSES, C_FIB_FAILURES, C_ERRORS, C_MAX };

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, struct svc_key); __type(value, struct svc); } services SEC(".maps");
/* both directions of 65,536 flows (zon-lb at HEAD tracks 10, which breaks parallel flows) */
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 131072); __type(key, struct flow); __type(value, struct nat); } conntrack SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, C_MAX); __type(key, __u32); __type(value, __u64); } counters SEC(".maps");

static __always_inline void count(__u32 i)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &i);
	if (v)
		*v += 1;
}

/* RFC 1624: HC' = ~(~HC + ~m + m'), on 16-bit words as they sit in memory */
static __always_inline void csum_replace2(__u16 *check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~*check + (__u16)~old + new;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*check = ~sum;
}

static __always_inline void csum_replace_addr(__u16 *check, const struct addr *old, const struct addr *new, int words)
{
	const __u16 *o = (const __u16 *)old, *n = (const __u16 *)new;
#pragma unroll
	for (int i = 0; i < 8; i++)
		if (i < words * 2)
			csum_replace2(check, o[i], n[i]);
}

struct parsed {
	void *l3, *l4;
	__u16 *l4check;   /* NULL: no checksum to keep (UDP over IPv4 with 0) */
	__u16 *sport, *dport;
	struct flow f;
};

static __always_inline int parse(struct xdp_md *ctx, struct parsed *p)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return -1;
	__builtin_memset(&p->f, 0, sizeof(p->f));
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end || ip->ihl != 5 || (ip->frag_off & bpf_htons(0x3fff)))
			return -1; /* options and fragments pass untouched */
		p->l3 = ip;
		p->l4 = ip + 1;
		p->f.family = AF_INET;
		p->f.proto = ip->protocol;
		p->f.src.w[0] = ip->saddr;
		p->f.dst.w[0] = ip->daddr;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return -1;
		p->l3 = ip6;
		p->l4 = ip6 + 1;
		p->f.family = AF_INET6;
		p->f.proto = ip6->nexthdr; /* extension headers pass untouched */
		__builtin_memcpy(&p->f.src, &ip6->saddr, 16);
		__builtin_memcpy(&p->f.dst, &ip6->daddr, 16);
	} else {
		return -1;
	}
	if (p->f.proto == IPPROTO_TCP) {
		struct tcphdr *t = p->l4;
		if ((void *)(t + 1) > end)
			return -1;
		p->l4check = &t->check; p->sport = &t->source; p->dport = &t->dest;
	} else if (p->f.proto == IPPROTO_UDP) {
		struct udphdr *u = p->l4;
		if ((void *)(u + 1) > end)
			return -1;
		p->l4check = (p->f.family == AF_INET && u->check == 0) ? 0 : &u->check;
		p->sport = &u->source; p->dport = &u->dest;
	} else if (p->f.proto == IPPROTO_ICMP || p->f.proto == IPPROTO_ICMPV6) {
		/* echo request and reply: the identifier plays the role of both ports */
		struct echo_hdr *ic = p->l4;
		if ((void *)(ic + 1) > end)
			return -1;
		__u8 t = ic->type;
		if (!(t == 8 || t == 0 || t == 128 || t == 129))
			return -1;
		p->l4check = &ic->checksum; p->sport = &ic->id; p->dport = &ic->id;
	} else {
		return -1;
	}
	p->f.sport = *p->sport;
	p->f.dport = *p->dport;
	return 0;
}

static __always_inline int is_icmp(__u8 proto) { return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6; }

/*
 * Rewrite addresses and ports; ICMPv4 has no pseudo-header, ICMPv6 and TCP/UDP do. The verifier
 * merges the IPv4 and IPv6 paths of parse(): every write is bounds-checked again here.
 */
static __always_inline int rewrite(struct xdp_md *ctx, struct parsed *p, const struct nat *n)
{
	void *end = (void *)(long)ctx->data_end;
	int words = p->f.family == AF_INET ? 1 : 4;
	int pseudo = p->f.proto != IPPROTO_ICMP;
	if ((void *)p->sport + 2 > end || (void *)p->dport + 2 > end || (p->l4check && (void *)p->l4check + 2 > end))
		return -1;
	if (p->f.family == AF_INET) {
		struct iphdr *ip = p->l3;
		if ((void *)(ip + 1) > end)
			return -1;
		csum_replace_addr(&ip->check, &p->f.src, &n->src, 1);
		csum_replace_addr(&ip->check, &p->f.dst, &n->dst, 1);
		ip->saddr = n->src.w[0];
		ip->daddr = n->dst.w[0];
	} else {
		struct ipv6hdr *ip6 = p->l3;
		if ((void *)(ip6 + 1) > end)
			return -1;
		__builtin_memcpy(&ip6->saddr, &n->src, 16);
		__builtin_memcpy(&ip6->daddr, &n->dst, 16);
	}
	if (p->l4check) {
		if (pseudo) {
			csum_replace_addr(p->l4check, &p->f.src, &n->src, words);
			csum_replace_addr(p->l4check, &p->f.dst, &n->dst, words);
		}
		if (is_icmp(p->f.proto)) {
			csum_replace2(p->l4check, p->f.sport, n->sport);
		} else {
			csum_replace2(p->l4check, p->f.sport, n->sport);
			csum_replace2(p->l4check, p->f.dport, n->dport);
		}
	}
	*p->sport = n->sport;
	if (!is_icmp(p->f.proto))
		*p->dport = n->dport;
	return 0;
}

static __always_inline int forward(struct xdp_md *ctx, struct parsed *p, const struct nat *n)
{
	struct bpf_fib_lookup fib = {};
	/* read once: the verifier refuses a context pointer that the compiler kept as ctx + 12 */
	__u32 in_if = ctx->ingress_ifindex;
	void *pend = (void *)(long)ctx->data_end;
	if ((p->f.family == AF_INET && p->l3 + sizeof(struct iphdr) > pend) || (p->f.family == AF_INET6 && p->l3 + sizeof(struct ipv6hdr) > pend)) {
		count(C_ERRORS);
		return XDP_DROP;
	}
	fib.ifindex = in_if;
	if (p->f.family == AF_INET) {
		struct iphdr *ip = p->l3;
		fib.family = AF_INET;
		fib.tos = ip->tos;
		fib.l4_protocol = ip->protocol;
		fib.tot_len = bpf_ntohs(ip->tot_len);
		fib.ipv4_src = n->src.w[0];
		fib.ipv4_dst = n->dst.w[0];
	} else {
		struct ipv6hdr *ip6 = p->l3;
		fib.family = AF_INET6;
		fib.l4_protocol = ip6->nexthdr;
		fib.tot_len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
		__builtin_memcpy(fib.ipv6_src, &n->src, 16);
		__builtin_memcpy(fib.ipv6_dst, &n->dst, 16);
	}
	long rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_NOT_FWDED || rc == BPF_FIB_LKUP_RET_FWD_DISABLED) {
		count(C_PASSED); /* the new destination is this host (or forwarding is off): the local stack takes it */
		return XDP_PASS;
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
		count(C_FIB_FAILURES);
		count(C_PASSED);
		return XDP_PASS;
	}
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end) {
		count(C_ERRORS);
		return XDP_DROP;
	}
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	if (fib.ifindex == in_if) {
		count(C_REDIRECTED);
		return XDP_TX;
	}
	count(C_REDIRECTED);
	return bpf_redirect(fib.ifindex, 0);
}

SEC("xdp")
int zonlb_xdp(struct xdp_md *ctx)
{
	struct parsed p = {};
	count(C_PACKETS);
	if (parse(ctx, &p) < 0) {
		count(C_PASSED);
		return XDP_PASS;
	}
	struct nat *known = bpf_map_lookup_elem(&conntrack, &p.f);
	if (known) {
		struct nat n = *known;
		count(C_CT_HITS);
		count(C_MATCHED);
		if (rewrite(ctx, &p, &n) < 0) {
			count(C_ERRORS);
			return XDP_DROP;
		}
		return forward(ctx, &p, &n);
	}
	count(C_CT_MISSES);
	struct svc_key k = {};
	k.vip = p.f.dst;
	k.port = is_icmp(p.f.proto) ? 0 : p.f.dport;
	k.proto = p.f.proto;
	k.family = p.f.family;
	struct svc *s = bpf_map_lookup_elem(&services, &k);
	if (!s || s->count == 0) {
		count(C_PASSED);
		return XDP_PASS;
	}
	/* only a flow's first packet from the client opens it: a reply we do not know is not ours */
	if (is_icmp(p.f.proto)) {
		struct echo_hdr *ic = p.l4;
		if (ic->type != 8 && ic->type != 128) {
			count(C_PASSED);
			return XDP_PASS;
		}
	}
	count(C_MATCHED);
	__u32 h = p.f.src.w[0] ^ p.f.src.w[3] ^ ((__u32)p.f.sport << 16) ^ p.f.dport ^ p.f.proto;
	h ^= h >> 16;
	h *= 0x7feb352d;
	h ^= h >> 15;
	__u32 n = s->count > MAX_BACKENDS ? MAX_BACKENDS : s->count;
	__u32 idx = h % n;
	/* clang knows idx < n ≤ 64 and drops a plain mask; the verifier does not: hide idx, then mask */
	asm volatile("" : "+r"(idx));
	idx &= MAX_BACKENDS - 1;
	struct backend *b = &s->b[idx];
	struct nat fwd = {};
	fwd.src = b->has_src ? b->src : p.f.src;
	fwd.dst = b->ip;
	fwd.sport = p.f.sport;
	fwd.dport = (b->port && !is_icmp(p.f.proto)) ? b->port : p.f.dport;
	if (is_icmp(p.f.proto))
		fwd.dport = fwd.sport;
	/* the reply: from the backend to the address we gave the client's side, back to VIP → client */
	struct flow rkey = {};
	rkey.src = fwd.dst;
	rkey.dst = fwd.src;
	rkey.sport = fwd.dport;
	rkey.dport = fwd.sport;
	rkey.proto = p.f.proto;
	rkey.family = p.f.family;
	struct nat rev = {};
	rev.src = p.f.dst;
	rev.dst = p.f.src;
	rev.sport = p.f.dport;
	rev.dport = p.f.sport;
	if (is_icmp(p.f.proto)) {
		rkey.sport = rkey.dport = fwd.sport;
		rev.sport = rev.dport = p.f.sport;
	}
	if (bpf_map_update_elem(&conntrack, &p.f, &fwd, BPF_ANY) || bpf_map_update_elem(&conntrack, &rkey, &rev, BPF_ANY)) {
		count(C_ERRORS);
		return XDP_PASS;
	}
	count(C_CT_INSERTS);
	if (rewrite(ctx, &p, &fwd) < 0) {
		count(C_ERRORS);
		return XDP_DROP;
	}
	return forward(ctx, &p, &fwd);
}

char _license[] SEC("license") = "GPL";
