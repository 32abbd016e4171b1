/*
 * "Fragmentation needed" (RFC 1191) and "packet too big" (RFC 4443) back to the client, built in the
 * packet and sent out the link it came in on (as zon-lb's send_dtb and send_ptb): the client learns
 * the path MTU of the VIP.
 */
#ifndef ZONLB_ICMP_H
#define ZONLB_ICMP_H

#include "zonlb_csum.h"
#include "zonlb_parse.h"

#define ICMP_HDR_LEN 8
#define QUOTE4 (sizeof(struct iphdr) + 8) /* RFC 792: the header and 64 bits of the datagram */
#define ICMP4_TOO_BIG_PAYLOAD (ICMP_HDR_LEN + QUOTE4)
#define ICMP4_TOO_BIG_LEN (sizeof(struct ethhdr) + sizeof(struct iphdr) + ICMP4_TOO_BIG_PAYLOAD)
#define QUOTE6 (sizeof(struct ipv6hdr) + 64) /* as much as zon-lb's send_ptb, far below 1280 */
#define ICMP6_TOO_BIG_PAYLOAD (ICMP_HDR_LEN + QUOTE6)
#define ICMP6_TOO_BIG_LEN (sizeof(struct ethhdr) + sizeof(struct ipv6hdr) + ICMP6_TOO_BIG_PAYLOAD)

/* the ICMP header of these answers: type, code, checksum, then 32 bits the type defines */
struct icmp_answer {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 unused;
	__be16 mtu;
};

struct icmp6_answer {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 mtu;
};

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
	return data + len > end ? NULL : data + L3_OFF;
}

/* the answer, the packet's first len bytes (l3: its network header), back out the link it came in on */
static __always_inline int send_back(struct xdp_md *ctx, void *l3, int len, struct stats *st)
{
	swap_macs((struct ethhdr *)l3 - 1);
	if (bpf_xdp_adjust_tail(ctx, len - (int)(ctx->data_end - ctx->data)))
		return XDP_DROP;
	st->too_big_sent++;
	return XDP_TX;
}

static __noinline int too_big4(struct xdp_md *ctx, __u16 mtu, struct stats *st)
{
	struct iphdr *ip = answer_in_place(ctx, ICMP4_TOO_BIG_LEN);
	if (!ip)
		return XDP_DROP;
	struct icmp_answer *icmp = (void *)(ip + 1);
	/* the quote goes right after the new ICMP header, where the original's payload was: no overlap */
	__builtin_memcpy(icmp + 1, ip, QUOTE4);
	icmp->type = ICMP_DEST_UNREACH;
	icmp->code = ICMP_FRAG_NEEDED;
	icmp->checksum = 0;
	icmp->unused = 0;
	icmp->mtu = bpf_htons(mtu);
	icmp->checksum = csum_fold(bpf_csum_diff(0, 0, (void *)icmp, ICMP4_TOO_BIG_PAYLOAD, 0));
	__be32 client = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = client;
	ip->tot_len = bpf_htons(sizeof(struct iphdr) + ICMP4_TOO_BIG_PAYLOAD);
	ip->id = 0;
	ip->frag_off = bpf_htons(IP_DF);
	ip->ttl = ANSWER_TTL;
	ip->protocol = IPPROTO_ICMP;
	ip->check = 0;
	ip->check = csum_fold(bpf_csum_diff(0, 0, (void *)ip, sizeof(*ip), 0));
	return send_back(ctx, ip, ICMP4_TOO_BIG_LEN, st);
}

static __noinline int too_big6(struct xdp_md *ctx, __u32 mtu, struct stats *st)
{
	struct ipv6hdr *ip6 = answer_in_place(ctx, ICMP6_TOO_BIG_LEN);
	if (!ip6)
		return XDP_DROP;
	struct icmp6_answer *icmp = (void *)(ip6 + 1);
	/* the quote overlaps the original: move it back to front, 8 bytes at a time */
	__u64 *from = (void *)ip6, *to = (void *)(icmp + 1);
#pragma unroll
	for (int i = QUOTE6 / 8 - 1; i >= 0; i--)
		to[i] = from[i];
	icmp->type = ICMPV6_PKT_TOOBIG;
	icmp->code = 0;
	icmp->checksum = 0;
	icmp->mtu = bpf_htonl(mtu);
	struct in6_addr client = ip6->saddr;
	ip6->saddr = ip6->daddr;
	ip6->daddr = client;
	ip6->payload_len = bpf_htons(ICMP6_TOO_BIG_PAYLOAD);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = ANSWER_TTL;
	__be32 pseudo[2] = { bpf_htonl(ICMP6_TOO_BIG_PAYLOAD), bpf_htonl(IPPROTO_ICMPV6) };
	__s64 sum = bpf_csum_diff(0, 0, (void *)&ip6->saddr, 2 * sizeof(ip6->saddr), 0);
	sum = bpf_csum_diff(0, 0, pseudo, sizeof(pseudo), sum);
	sum = bpf_csum_diff(0, 0, (void *)icmp, ICMP6_TOO_BIG_PAYLOAD, sum);
	icmp->checksum = csum_fold(sum);
	return send_back(ctx, ip6, ICMP6_TOO_BIG_LEN, st);
}

#endif
