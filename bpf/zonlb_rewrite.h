/* A flow's translation written into its packet: addresses, ports, and the checksums they change. */
#ifndef ZONLB_REWRITE_H
#define ZONLB_REWRITE_H

#include "zonlb_parse.h"
#include "zonlb_csum.h"
#include "zonlb_mutants.h"

/* the checksum diffs of a rewrite: the addresses (in TCP's, UDP's and ICMPv6's pseudo-header) and the ports */
struct l4diff {
	__u32 addrs;
	__u32 ports;
};

/*
 * Rewrite addresses and ports in place (the IPv4 header's checksum with them) and say by how much
 * the L4 checksum must change: XDP applies that itself, tc leaves it to the kernel's helper, which
 * knows a device's partial checksum. A fragment after the first has only its addresses.
 */
static __always_inline int rewrite(void *data, void *end, const struct parsed *p, const struct nat *n, struct l4diff *d)
{
	int words = p->f.family == AF_INET ? 1 : 4;
	d->addrs = csum_diff_fold32(csum_diff_words(p->f.dst.w, n->dst.w, words, csum_diff_words(p->f.src.w, n->src.w, words, 0)));
	d->ports = 0;
	if (p->f.family == AF_INET) {
		struct iphdr *ip = data + L3_OFF;
		if ((void *)(ip + 1) > end)
			return -1;
		csum_apply(&ip->check, d->addrs);
		ip->saddr = n->src.w[0];
		ip->daddr = n->dst.w[0];
	} else {
		struct ipv6hdr *ip6 = data + L3_OFF;
		if ((void *)(ip6 + 1) > end)
			return -1;
		__builtin_memcpy(&ip6->saddr, &n->src, sizeof(ip6->saddr));
		__builtin_memcpy(&ip6->daddr, &n->dst, sizeof(ip6->daddr));
	}
	if (!p->ports_off)
		return 0;
	__be16 *ports = data + p->ports_off;
	if ((void *)(ports + 2) > end)
		return -1;
	if (is_icmp(p->f.proto)) {
		/* the echo identifier, the one "port" */
		d->ports = (__u16)~p->f.sport + (__u32)n->sport;
		ports[0] = n->sport;
		return 0;
	}
	/* sport and dport sit side by side in struct flow, struct nat and the header */
	d->ports = csum_diff_fold32(csum_diff_words((const __be32 *)&p->f.sport, (const __be32 *)&n->sport, 1, 0));
	ports[0] = n->sport;
	ports[1] = n->dport;
	return 0;
}

/*
 * The rewrite with its L4 checksum, updated as a full one. XDP cannot tell a partial checksum
 * (CHECKSUM_PARTIAL: the field holds the pseudo-header's sum, for the device to complete), and a
 * veth peer's locally sent packets do reach it with one; the skb path, which can tell, leaves the
 * update to the kernel's helper (skb_translate).
 */
static __always_inline int rewrite_full(void *data, void *end, const struct parsed *p, const struct nat *n)
{
	struct l4diff d;
	if (rewrite(data, end, p, n, &d) < 0)
		return -1;
	if (!p->check_off || MUTANT_STALE_CHECKSUM)
		return 0;
	__sum16 *check = data + p->check_off;
	if ((void *)(check + 1) > end)
		return -1;
	if (p->f.proto != IPPROTO_ICMP)
		csum_apply(check, d.addrs);
	csum_apply(check, d.ports);
	if (p->f.proto == IPPROTO_UDP && *check == 0)
		*check = 0xffff; /* RFC 768: 0 would mean "no checksum" */
	return 0;
}

#endif
