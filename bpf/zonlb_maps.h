/* The maps zonlab writes (services) and reads (counters, svc_stats), and the program's own state. */
#ifndef ZONLB_MAPS_H
#define ZONLB_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "zonlb_structs.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_SERVICES);
	__type(key, struct svc_key);
	__type(value, struct svc);
} services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_FLOWS);
	__type(key, struct flow);
	__type(value, struct ct);
} conntrack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FLOW_CACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct cached_ct);
} flow_cache SEC(".maps");

/*
 * The ports a packet of the balancer's has: to a service's port, or from one its replies come from.
 * Only ever added to (a port once a service's still lets the service's tracked flows through); one
 * writer per set, so that zonlab's write of its whole set never undoes a bit the program sets.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct port_set);
} port_sets SEC(".maps");

/*
 * The links a forwarded skb can go into the peer's namespace by (bpf_redirect_peer): a veth whose
 * peer is in another namespace, keyed by ifindex. Written by zonlab at load; a link not in it gets
 * bpf_redirect (its egress).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PEER_LINKS);
	__type(key, __u32);
	__type(value, __u32);
} peer_links SEC(".maps");

/* how often conntrack changed: [CT_INSERTS] the program's inserts, [CT_FLUSHES] zonlab's flushes (one writer each) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} ct_epoch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_FRAGMENTED);
	__type(key, struct frag_key);
	__type(value, struct ports);
} frags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stats);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_SERVICES * MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct svc_stat);
} svc_stats SEC(".maps");

/* this CPU's counters: NULL never happens for index 0 of an array, but the verifier asks */
static __always_inline struct stats *stats_of_cpu(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&counters, &zero);
}

static __always_inline void count_service(const struct nat *n)
{
	__u32 i = n->stat;
	struct svc_stat *s = bpf_map_lookup_elem(&svc_stats, &i);
	if (s)
		s->packets[n->flags & CT_REPLY] += 1;
}

#endif
