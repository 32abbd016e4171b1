/* Where a flow's packets go: the FIB's answer, kept beside the flow (in a CPU's copy of its conntrack entry) for HOP_TTL_NS. */
#ifndef ZONLB_FIB_H
#define ZONLB_FIB_H

#include "zonlb_parse.h"

/* the FIB's answer toward n->dst; with tot_len NO_MTU first, for the path MTU (it stops there) */
static __always_inline long lookup_hop(void *ctx, const struct parsed *p, const struct nat *n, __u32 in_if, struct bpf_fib_lookup *fib, __u16 tot_len)
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
		__builtin_memcpy(fib->ipv6_src, &n->src, sizeof(fib->ipv6_src));
		__builtin_memcpy(fib->ipv6_dst, &n->dst, sizeof(fib->ipv6_dst));
	}
	return bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
}

/*
 * Field by field: Debian's clang 14 compiles `known->hop = *hop` here (and its memcpy) to a store of
 * expires and the padding alone, leaving out the MACs, link and MTU (llvm-objdump -S shows it); the
 * kept-hop case of test/drivers/embedded/test-run.test.ts then fails (XDP_DROP: an MTU of 0).
 */
static __always_inline void copy_hop(struct hop *to, const struct hop *from)
{
	__builtin_memcpy(to->macs, from->macs, sizeof(to->macs));
	to->ifindex = from->ifindex;
	to->mtu = from->mtu;
	to->peer = from->peer;
	to->expires = from->expires;
}

/*
 * Where a flow's packets go: its kept hop while fresh (*hop points into the CPU's copy of its
 * conntrack entry, copied nowhere), else the FIB's answer in *fresh (kept in that copy when it names
 * a link: each CPU refreshes its own, the map's entry gives a new copy its first). ctx: an xdp_md or
 * an __sk_buff (bpf_fib_lookup takes both); in_if: the link it came in on.
 */
static __always_inline long route(void *ctx, __u32 in_if, const struct parsed *p, const struct nat *n, struct ct *known, struct hop *fresh, const struct hop **hop)
{
	__u64 now = bpf_ktime_get_coarse_ns();
	if (known && known->hop.expires > now) {
		*hop = &known->hop;
		return BPF_FIB_LKUP_RET_SUCCESS;
	}
	*hop = fresh;
	struct bpf_fib_lookup fib;
	long rc = lookup_hop(ctx, p, n, in_if, &fib, NO_MTU);
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED) {
		/* known even when the neighbour is not: a packet too big is answered before it is resolved */
		fresh->mtu = fib.mtu_result;
		rc = lookup_hop(ctx, p, n, in_if, &fib, 0);
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return rc;
	fresh->ifindex = fib.ifindex;
	fresh->peer = bpf_map_lookup_elem(&peer_links, &fresh->ifindex) != NULL;
	__builtin_memcpy(fresh->macs, fib.dmac, ETH_ALEN);
	__builtin_memcpy(fresh->macs + ETH_ALEN, fib.smac, ETH_ALEN);
	fresh->expires = now + HOP_TTL_NS;
	if (known)
		copy_hop(&known->hop, fresh);
	return rc;
}

#endif
