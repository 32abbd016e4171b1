/*
 * A cheap first filter: a packet no service can have (to no service's port, from no port a tracked
 * reply comes from) passes without a conntrack or services lookup, which were most of the cost of a
 * packet that matches nothing (scripts/bench-xdp-prog.mjs).
 */
#ifndef ZONLB_PORTS_H
#define ZONLB_PORTS_H

#include "zonlb_parse.h"

static __always_inline int port_in(__u32 set, __be16 port)
{
	__u16 p = bpf_ntohs(port);
	struct port_set *s = bpf_map_lookup_elem(&port_sets, &set);
	return s && (s->bits[(p / 64) & 1023] >> (p % 64)) & 1;
}

/* an echo's identifier stands for both ports: echoes are never filtered */
static __always_inline int no_service_port(const struct parsed *p)
{
	return !is_icmp(p->f.proto) && !port_in(PS_SERVICES, p->f.dport) && !port_in(PS_REPLIES, p->f.sport);
}

/* before the reverse entry is in conntrack: its first reply must not be filtered out */
static __always_inline void replies_from(__be16 port)
{
	__u32 set = PS_REPLIES;
	__u16 p = bpf_ntohs(port);
	__u64 bit = 1ULL << (p % 64);
	struct port_set *s = bpf_map_lookup_elem(&port_sets, &set);
	if (s && !(s->bits[(p / 64) & 1023] & bit))
		__sync_fetch_and_or(&s->bits[(p / 64) & 1023], bit);
}

#endif
