/* Connection tracking: a flow's backend chosen once, both directions of it kept in conntrack. */
#ifndef ZONLB_CONNTRACK_H
#define ZONLB_CONNTRACK_H

#include "zonlb_parse.h"
#include "zonlb_mutants.h"
#include "zonlb_flowcache.h"
#include "zonlb_ports.h"

/* the flow as it comes back: from where the request went, to whom it appeared to come from */
static __noinline int track(const struct parsed *p, const struct nat *fwd, struct stats *st)
{
	struct ct entry = { .nat = *fwd };
	if (ct_insert(&p->f, &entry))
		return -1;
	st->ct_inserts++;
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
	} else {
		replies_from(rkey.sport);
	}
	return ct_insert(&rkey, &rev);
}

/*
 * The flow's entry, or NULL for a flow to open: a new connection on a tuple still tracked (a client
 * reusing a source port) opens afresh, as the kernel's conntrack reopens a closed flow, so a backend
 * removed since gets no new connection.
 */
static __always_inline struct ct *tracked(const struct parsed *p)
{
	struct ct *known = ct_lookup(&p->f);
	if (!known || MUTANT_FORGETS(known))
		return NULL;
	if (p->tcp_syn && !(known->nat.flags & CT_REPLY))
		return NULL;
	return known;
}

/* the hash that spreads a service's flows over its backends */
static __always_inline __u32 flow_hash(const struct flow *f)
{
	__u32 h = MUTANT_HASH(f->src.w[0] ^ f->src.w[3] ^ ((__u32)f->sport << 16) ^ f->dport ^ f->proto);
	h ^= h >> 16;
	h *= 0x7feb352d;
	h ^= h >> 15;
	return h;
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
	__u32 n = s->count > MAX_BACKENDS ? MAX_BACKENDS : s->count;
	__u32 idx = flow_hash(&p->f) % n;
	/* clang knows idx < n ≤ MAX_BACKENDS and drops a plain mask; the verifier does not: hide idx, then mask */
	barrier_var(idx);
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

#endif
