/*
 * This CPU's copies of the conntrack entries it used last, in a small per-CPU array: a hit costs an
 * inlined array lookup and a key compare, where the conntrack hash lookup was most of a tracked
 * packet's cost (scripts/bench-xdp-prog.mjs). A copy holds only while conntrack is as it was when
 * the copy was taken: every insert (where the LRU also evicts) bumps ct_epoch[CT_INSERTS], zonlab
 * bumps ct_epoch[CT_FLUSHES] after it deletes entries, and a copy keeps the sum it was taken under
 * (both only grow, so the sum changes whenever either does). So the LRU still sees a flow used: a
 * hit on a copy does not mark the map's entry, but the insert that could evict it makes the flow's
 * next packet look it up again. A slot is written and read by one program run at a time: XDP and
 * tc ingress run with bottom halves off, one after another on a CPU (tc egress uses no copy).
 */
#ifndef ZONLB_FLOWCACHE_H
#define ZONLB_FLOWCACHE_H

#include "zonlb_fib.h"

/* the flow's slot: any cheap spread will do, a collision only costs a conntrack lookup */
static __always_inline __u32 flow_slot(const struct flow *f)
{
	__u32 h = f->src.w[0] ^ f->src.w[3] ^ f->dst.w[0] ^ f->dst.w[3] ^ ((__u32)f->sport << 16) ^ f->dport ^ f->proto;
	h *= 0x9e3779b1;
	return (h >> 16) & (FLOW_CACHE_SLOTS - 1);
}

static __always_inline int same_flow(const struct flow *a, const struct flow *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;
	__u32 diff = 0;
#pragma unroll
	for (int i = 0; i < sizeof(*a) / 4; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

static __always_inline __u64 ct_epoch_now(void)
{
	__u32 ins = CT_INSERTS, fl = CT_FLUSHES;
	__u64 *a = bpf_map_lookup_elem(&ct_epoch, &ins), *b = bpf_map_lookup_elem(&ct_epoch, &fl);
	return a && b ? *a + *b : 0;
}

/* an entry into conntrack, then every CPU's copies stale (also when it fails: the LRU may have evicted one first) */
static __always_inline int ct_insert(const struct flow *f, const struct ct *v)
{
	__u32 ins = CT_INSERTS;
	long rc = bpf_map_update_elem(&conntrack, f, v, BPF_ANY);
	__u64 *e = bpf_map_lookup_elem(&ct_epoch, &ins);
	if (e)
		__sync_fetch_and_add(e, 1);
	return rc ? -1 : 0;
}

/*
 * The flow's conntrack entry: this CPU's copy while the epoch is the copy's, else the map's, copied
 * into the slot. The epoch is read before the map: an insert or flush racing with the lookup leaves
 * the copy under the older sum, stale from the start.
 */
static __always_inline struct ct *ct_lookup(const struct flow *f)
{
	__u32 i = flow_slot(f);
	struct cached_ct *c = bpf_map_lookup_elem(&flow_cache, &i);
	if (!c)
		return bpf_map_lookup_elem(&conntrack, f);
	__u64 epoch = ct_epoch_now();
	if (c->epoch == epoch && same_flow(&c->f, f))
		return &c->ct;
	struct ct *known = bpf_map_lookup_elem(&conntrack, f);
	if (!known)
		return NULL;
	c->f = *f;
	c->ct.nat = known->nat;
	copy_hop(&c->ct.hop, &known->hop);
	c->epoch = epoch;
	return &c->ct;
}

#endif
