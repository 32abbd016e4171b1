/*
 * A packet's headers read into struct parsed: its flow, and where in the packet its ports and L4
 * checksum are, as offsets from the start (not pointers): they hold after a helper moves the data,
 * and each user bounds-checks what it touches.
 */
#ifndef ZONLB_PARSE_H
#define ZONLB_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include "zonlb_maps.h"

enum { FRAG_NONE, FRAG_FIRST, FRAG_LATER };
enum { P_OK = 0, P_PASS = -1, P_UNKNOWN_FRAG = -2 };

/* the network header is right after Ethernet's */
#define L3_OFF sizeof(struct ethhdr)

struct parsed {
	struct flow f;
	__be32 frag_id;
	__u16 l3len;
	__u8 ports_off; /* sport then dport (an echo's identifier: both); 0 in a fragment after the first */
	__u8 check_off; /* 0: no checksum to keep (UDP over IPv4 with 0, later fragments) */
	__u8 frag;
	__u8 tos;
	__u8 echo_request;
	__u8 tcp_syn; /* SYN without ACK: a client opening a connection */
};

static __always_inline int is_icmp(__u8 proto) { return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6; }

static __always_inline void frag_key_of(const struct parsed *p, struct frag_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->src = p->f.src;
	k->dst = p->f.dst;
	k->id = p->frag_id;
	k->proto = p->f.proto;
	k->family = p->f.family;
}

/* where a fragment after the first takes its ports from: the first's, remembered */
static __always_inline int later_fragment(struct parsed *p)
{
	struct frag_key k;
	frag_key_of(p, &k);
	struct ports *known = bpf_map_lookup_elem(&frags, &k);
	if (!known)
		return P_UNKNOWN_FRAG;
	p->f.sport = known->sport;
	p->f.dport = known->dport;
	return P_OK;
}

/* a first fragment's ports, keyed as its following fragments will arrive (before any rewrite) */
static __always_inline void remember_fragment(const struct parsed *p, struct stats *st)
{
	struct frag_key k;
	struct ports v = { .sport = p->f.sport, .dport = p->f.dport };
	frag_key_of(p, &k);
	if (bpf_map_update_elem(&frags, &k, &v, BPF_ANY))
		st->errors++;
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
	p->ports_off = 0;
	p->check_off = 0;
	p->echo_request = 0;
	p->tcp_syn = 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end || ip->ihl != 5)
			return P_PASS; /* IP options pass untouched */
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
		l4 = ip6 + 1;
		p->f.family = AF_INET6;
		p->f.proto = ip6->nexthdr; /* extension headers other than a fragment's pass untouched */
		__builtin_memcpy(&p->f.src, &ip6->saddr, sizeof(p->f.src));
		__builtin_memcpy(&p->f.dst, &ip6->daddr, sizeof(p->f.dst));
		p->l3len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
		p->tos = 0;
		if (ip6->nexthdr == IPPROTO_FRAGMENT) {
			struct frag6_hdr *fh = l4;
			if ((void *)(fh + 1) > end)
				return P_PASS;
			p->f.proto = fh->nexthdr;
			p->frag_id = fh->id;
			p->frag = (fh->frag_off & bpf_htons(IP6_FRAG_OFFSET)) ? FRAG_LATER : FRAG_FIRST;
			l4 = fh + 1;
		}
	} else {
		return P_PASS;
	}
	if (p->frag == FRAG_LATER)
		return later_fragment(p);
	__u8 l4_off = l4 - data;
	if (p->f.proto == IPPROTO_TCP) {
		struct tcphdr *t = l4;
		if ((void *)(t + 1) > end)
			return P_PASS;
		p->ports_off = l4_off;
		p->check_off = l4_off + __builtin_offsetof(struct tcphdr, check);
		p->tcp_syn = t->syn && !t->ack;
		p->f.sport = t->source;
		p->f.dport = t->dest;
	} else if (p->f.proto == IPPROTO_UDP) {
		struct udphdr *u = l4;
		if ((void *)(u + 1) > end)
			return P_PASS;
		p->ports_off = l4_off;
		if (p->f.family == AF_INET6 || u->check)
			p->check_off = l4_off + __builtin_offsetof(struct udphdr, check);
		p->f.sport = u->source;
		p->f.dport = u->dest;
	} else if (is_icmp(p->f.proto)) {
		/* echo request and reply: the identifier plays the role of both ports */
		struct echo_hdr *ic = l4;
		if ((void *)(ic + 1) > end)
			return P_PASS;
		__u8 t = ic->type;
		p->echo_request = t == ICMP_ECHO || t == ICMPV6_ECHO_REQUEST;
		if (!p->echo_request && t != ICMP_ECHOREPLY && t != ICMPV6_ECHO_REPLY)
			return P_PASS;
		p->ports_off = l4_off + __builtin_offsetof(struct echo_hdr, id);
		p->check_off = l4_off + __builtin_offsetof(struct echo_hdr, checksum);
		p->f.sport = ic->id;
		p->f.dport = ic->id;
	} else {
		return P_PASS;
	}
	return P_OK;
}

#endif
