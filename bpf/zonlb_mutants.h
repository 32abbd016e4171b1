/*
 * Mutant builds of zonlb_xdp.c for `zonlab mutants` (src/mutants/catalogue.ts lists them): built with
 * -DZONLAB_MUTANT=N, each breaks one thing a load balancer can get wrong, so that a scenario's checks
 * can be seen to notice. Never the shipped object: without ZONLAB_MUTANT every site below is the
 * correct code and the default build is the same program, instruction for instruction.
 *
 * One macro per site; each takes the correct value and gives the mutant's.
 */
#ifndef ZONLB_MUTANTS_H
#define ZONLB_MUTANTS_H

#include "zonlb_maps.h"

#ifndef ZONLAB_MUTANT
#define ZONLAB_MUTANT 0
#endif

#define M_UNTRANSLATED 1      /* counts the packet, passes it on untranslated */
#define M_NO_REVERSE 2        /* translates the requests, not the replies */
#define M_IGNORE_SRC_IP 3     /* keeps the client's source where a backend has src_ip */
#define M_WRONG_PORT 4        /* sends to the backend's port + 1 */
#define M_WRONG_BACKEND 5     /* counts the chosen backend, sends to the next one */
#define M_DROP_1_IN_50 6      /* drops the first packet and every 50th after it (per backend, per CPU) */
#define M_NO_CONNTRACK 7      /* forgets the flow: every request chooses its backend again, per packet */
#define M_DSR_AS_NAT 8        /* treats a dsr_l2 backend as full NAT */
#define M_NO_FRAG_NEEDED 9    /* drops a packet too big for the backend's link without "fragmentation needed" */
#define M_STALE_L4_CHECKSUM 10 /* rewrites addresses and ports but leaves the TCP/UDP/ICMP checksum as it was */

#define MUTANT(m) (ZONLAB_MUTANT == (m))

/* a tracked flow's translation, skipped: the packet goes on as it came (n: its nat) */
#define MUTANT_SKIPS_REWRITE(n) (MUTANT(M_UNTRANSLATED) || (MUTANT(M_NO_REVERSE) && ((n)->flags & CT_REPLY)))
/* the L4 checksum's update, skipped */
#define MUTANT_STALE_CHECKSUM MUTANT(M_STALE_L4_CHECKSUM)
/* a backend's src_ip, or what the mutant uses instead */
#define MUTANT_SOURCE(configured, client) (MUTANT(M_IGNORE_SRC_IP) ? (client) : (configured))
/* the backend's port (network order) */
#define MUTANT_PORT(port) (MUTANT(M_WRONG_PORT) ? bpf_htons(bpf_ntohs(port) + 1) : (port))
/* the flow's hash: per packet when the flow is forgotten */
#define MUTANT_HASH(h) (MUTANT(M_NO_CONNTRACK) ? (h) ^ bpf_get_prandom_u32() : (h))
/* a tracked request found in conntrack, forgotten */
#define MUTANT_FORGETS(ct) (MUTANT(M_NO_CONNTRACK) && !((ct)->nat.flags & CT_REPLY))
/* a backend's dsr_l2 flag */
#define MUTANT_DSR(flags) (MUTANT(M_DSR_AS_NAT) ? 0 : ((flags) & B_DSR_L2))
/* a packet larger than the path MTU: answered (too_big4/6), or dropped by the mutant */
#define MUTANT_TOO_BIG(answer) (MUTANT(M_NO_FRAG_NEEDED) ? XDP_DROP : (answer))

/* the backend sent to, of n (the site masks it): the chosen one's counts are kept either way */
#if ZONLAB_MUTANT == M_WRONG_BACKEND
static __always_inline __u32 mutant_next(__u32 idx, __u32 n)
{
	__u32 to = idx + 1 >= n ? 0 : idx + 1;
	barrier_var(to); /* as open_flow's idx: the verifier wants the site's mask kept */
	return to;
}
#define MUTANT_BACKEND(idx, n) mutant_next(idx, n)
#else
#define MUTANT_BACKEND(idx, n) (idx)
#endif

#if ZONLAB_MUTANT == M_DROP_1_IN_50
/* after count_service(): the packet it just counted is the first, or the 51st, … of its backend and direction on this CPU */
static __always_inline int mutant_drops(const struct nat *n)
{
	__u32 i = n->stat;
	struct svc_stat *s = bpf_map_lookup_elem(&svc_stats, &i);
	return s && s->packets[n->flags & CT_REPLY] % 50 == 1;
}
#define MUTANT_DROPS(n) mutant_drops(n)
#else
#define MUTANT_DROPS(n) 0
#endif

#endif
