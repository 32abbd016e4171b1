// zonlab's embedded load balancer: XDP full NAT (or L2 DSR) with connection tracking, for the
// zonlb.toml subset zon-lb's examples use. A packet to a service (VIP, protocol, port) gets a backend
// chosen by a hash of its flow; the flow is tracked, so its later packets, fragments and replies are
// found and translated. Rewritten packets go out by bpf_fib_lookup + bpf_redirect, or into the local
// stack (XDP_PASS) when the new destination is local; the replies of such a local backend are
// translated back by a tc egress program on the same interface. Traffic that matches nothing passes.
//
// The entry points and what they share; each concern in its header, as Katran lays its program out:
// zonlb_consts.h, zonlb_structs.h, zonlb_maps.h, zonlb_parse.h, zonlb_csum.h, zonlb_rewrite.h,
// zonlb_icmp.h (the "too big" answers), zonlb_conntrack.h, zonlb_flowcache.h (each CPU's copies of the
// conntrack entries it used last), zonlb_ports.h (the ports a packet of a service can have),
// zonlb_fib.h; zonlb_mutants.h for `zonlab mutants`.
#include "zonlb_rewrite.h"
#include "zonlb_icmp.h"
#include "zonlb_conntrack.h"
#include "zonlb_fib.h"

/*
 * A new flow tracked, once it is known where it goes (rc: the FIB's answer): not forwarded, or the
 * link does not forward, and only this host can take it. -1 (counted) when it cannot be tracked.
 */
static __always_inline int track_new(const struct parsed *p, struct nat *n, long rc, struct stats *st)
{
	if ((rc == BPF_FIB_LKUP_RET_NOT_FWDED || rc == BPF_FIB_LKUP_RET_FWD_DISABLED) && !(n->flags & CT_DSR))
		to_local(p, n);
	if (track(p, n, st) < 0) {
		st->errors++;
		return -1;
	}
	return 0;
}

/*
 * Where the translated packet goes: the local stack, or out of the link the FIB names; a packet
 * larger than that link's MTU is answered with ICMP instead, as zon-lb does. A new flow is tracked
 * only once it is known to go somewhere.
 */
static __always_inline int deliver(struct xdp_md *ctx, struct parsed *p, struct nat *n, struct ct *known, struct stats *st)
{
	long rc = BPF_FIB_LKUP_RET_NOT_FWDED;
	struct hop fresh = { .mtu = NO_MTU };
	const struct hop *hop = &fresh;
	if (!(n->flags & CT_LOCAL)) {
		__u32 in_if = ctx->ingress_ifindex; /* read once: the verifier refuses ctx + 12 kept by the compiler */
		rc = route(ctx, in_if, p, n, known, &fresh, &hop);
		if (p->l3len > hop->mtu)
			return MUTANT_TOO_BIG(p->f.family == AF_INET ? too_big4(ctx, hop->mtu, st) : too_big6(ctx, hop->mtu, st));
	}
	if (!known && track_new(p, n, rc, st) < 0)
		return XDP_PASS;
	if (p->frag == FRAG_FIRST)
		remember_fragment(p, st);
	if (p->frag != FRAG_NONE)
		st->fragments++;
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (!(n->flags & CT_DSR) && !MUTANT_SKIPS_REWRITE(n) && rewrite_full(data, end, p, n) < 0) {
		st->errors++;
		return XDP_DROP;
	}
	count_service(n);
	if (MUTANT_DROPS(n))
		return XDP_DROP;
	if (rc == BPF_FIB_LKUP_RET_SUCCESS) {
		struct ethhdr *eth = data;
		if ((void *)(eth + 1) > end) {
			st->errors++;
			return XDP_DROP;
		}
		__builtin_memcpy(eth, hop->macs, sizeof(hop->macs));
		st->redirected++;
		if (hop->ifindex == ctx->ingress_ifindex)
			return XDP_TX;
		return bpf_redirect(hop->ifindex, 0);
	}
	if (rc != BPF_FIB_LKUP_RET_NOT_FWDED && rc != BPF_FIB_LKUP_RET_FWD_DISABLED)
		st->fib_failures++;
	if (n->flags & CT_DSR) {
		/* the packet still says VIP, an address of this host: the local stack would answer it */
		st->dropped++;
		return XDP_DROP;
	}
	/* this host's own destination, or a next hop the kernel resolves as it forwards this packet */
	st->passed++;
	return XDP_PASS;
}

/*
 * A packet of a service: its flow's translation (*n), tracked (in *known: this CPU's copy of its
 * conntrack entry, read in place) or just chosen (in *fresh); -1 (counted as passed) for anything
 * else, which goes on untouched.
 */
static __always_inline int classify(void *data, void *end, struct parsed *p, struct nat *fresh, struct nat **n, struct ct **known, struct stats *st)
{
	st->packets++;
	int r = parse(data, end, p);
	if (r != P_OK) {
		if (r == P_UNKNOWN_FRAG)
			st->fragments_unknown++;
		st->passed++;
		return -1;
	}
	if (no_service_port(p)) {
		/* counted as the lookups would have: not in conntrack, passed */
		st->ct_misses++;
		st->passed++;
		return -1;
	}
	*known = tracked(p);
	if (*known) {
		*n = &(*known)->nat;
		st->ct_hits++;
	} else {
		*n = fresh;
		st->ct_misses++;
		if (p->frag == FRAG_LATER || open_flow(p, fresh) < 0) {
			st->passed++;
			return -1;
		}
	}
	st->matched++;
	return 0;
}

SEC("xdp")
int zonlb_xdp(struct xdp_md *ctx)
{
	struct parsed p;
	struct nat fresh, *n;
	struct ct *known;
	struct stats *st = stats_of_cpu();
	if (!st || classify((void *)(long)ctx->data, (void *)(long)ctx->data_end, &p, &fresh, &n, &known, st) < 0)
		return XDP_PASS;
	return deliver(ctx, &p, n, known, st);
}

/*
 * The headers parse() reads in the linear part, where direct access reaches them; pulled only when
 * they are not there already (a pull moves payload into the head, and may copy it).
 */
static __always_inline void pull_headers(struct __sk_buff *skb, void **data, void **end)
{
	__u32 want = sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct tcphdr);
	*data = (void *)(long)skb->data;
	*end = (void *)(long)skb->data_end;
	if (skb->protocol == bpf_htons(ETH_P_IPV6))
		want = sizeof(struct ethhdr) + sizeof(struct ipv6hdr) + sizeof(struct frag6_hdr) + sizeof(struct tcphdr);
	if (want > skb->len)
		want = skb->len;
	if (*data + want > *end) {
		bpf_skb_pull_data(skb, want);
		*data = (void *)(long)skb->data;
		*end = (void *)(long)skb->data_end;
	}
}

/*
 * Addresses and ports as the flow's nat says, on an skb: written in place (the program's direct
 * writes make a shared packet's headers its own first), then the L4 checksum through the kernel's
 * helper, which keeps it right whatever its state (a locally sent packet's is often left to the
 * device: CHECKSUM_PARTIAL). The helpers may move the data: only offsets are used after them.
 */
static __always_inline int skb_translate(struct __sk_buff *skb, void *data, void *end, const struct parsed *p, const struct nat *n)
{
	__u64 l4flags = p->f.proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;
	struct l4diff d;
	if (rewrite(data, end, p, n, &d) < 0)
		return -1;
	if (!p->check_off || MUTANT_STALE_CHECKSUM)
		return 0;
	if (p->f.proto != IPPROTO_ICMP)
		bpf_l4_csum_replace(skb, p->check_off, 0, d.addrs, BPF_F_PSEUDO_HDR | l4flags);
	if (d.ports)
		bpf_l4_csum_replace(skb, p->check_off, 0, d.ports, l4flags);
	return 0;
}

/*
 * What the tc programs do with a packet of a flow: a first fragment remembered, the rewrite, the
 * counts (counter: one of st's). TC_ACT_OK or TC_ACT_SHOT; -1 (counted) for a packet it could not
 * rewrite, which goes on untouched.
 */
static __always_inline int tc_rewrite(struct __sk_buff *skb, void *data, void *end, const struct parsed *p, const struct nat *n, struct stats *st, __u64 *counter)
{
	if (p->frag == FRAG_FIRST)
		remember_fragment(p, st);
	if (!MUTANT_SKIPS_REWRITE(n) && skb_translate(skb, data, end, p, n) < 0) {
		st->errors++;
		return -1;
	}
	count_service(n);
	if (MUTANT_DROPS(n))
		return TC_ACT_SHOT;
	*counter += 1;
	return TC_ACT_OK;
}

/* The replies of a backend on this host (the README's 127.0.0.23) leave through the stack: translated back as they leave. */
SEC("tc")
int zonlb_tc_out(struct __sk_buff *skb)
{
	struct parsed p;
	void *data, *end;
	struct stats *st = stats_of_cpu();
	if (!st)
		return TC_ACT_OK;
	pull_headers(skb, &data, &end);
	if (parse(data, end, &p) != P_OK)
		return TC_ACT_OK;
	struct ct *known = bpf_map_lookup_elem(&conntrack, &p.f);
	if (!known || !(known->nat.flags & CT_LOCAL) || !(known->nat.flags & CT_REPLY))
		return TC_ACT_OK;
	int verdict = tc_rewrite(skb, data, end, &p, &known->nat, st, &st->tc_replies);
	return verdict < 0 ? TC_ACT_OK : verdict;
}

/*
 * The largest packet the skb puts on a wire: a GSO packet's segments (its headers and gso_size
 * each; it is cut after the redirect, by the device or the stack), else the packet itself.
 */
static __always_inline __u32 wire_len(struct __sk_buff *skb, void *data, void *end, const struct parsed *p)
{
	__u32 gso = skb->gso_size;
	if (!gso || !p->ports_off)
		return p->l3len;
	__u32 headers = p->ports_off - L3_OFF + sizeof(struct udphdr);
	if (p->f.proto == IPPROTO_TCP) {
		struct tcphdr *th = data + p->ports_off;
		if ((void *)(th + 1) > end)
			return p->l3len;
		headers = p->ports_off - L3_OFF + th->doff * 4;
	}
	return headers + gso;
}

/*
 * What both tc ingress programs do: ROUTES (a constant, so each program is compiled with its own
 * branches only) says whether a new flow's backend is looked up in the FIB and the packet
 * redirected there; without, every backend is this host's and the packet goes up the local stack.
 */
static __always_inline int tc_ingress(struct __sk_buff *skb, const int routes)
{
	struct parsed p;
	struct nat fresh, *n;
	void *data, *end;
	struct ct *known;
	struct stats *st = stats_of_cpu();
	if (!st)
		return TC_ACT_OK;
	pull_headers(skb, &data, &end);
	if (classify(data, end, &p, &fresh, &n, &known, st) < 0)
		return TC_ACT_OK;
	long rc = BPF_FIB_LKUP_RET_NOT_FWDED;
	struct hop found = { .mtu = NO_MTU };
	const struct hop *hop = &found;
	if (routes && !(n->flags & CT_LOCAL)) {
		rc = route(skb, skb->ingress_ifindex, &p, n, known, &found, &hop);
		if (wire_len(skb, data, end, &p) > hop->mtu) {
			st->errors++;
			return TC_ACT_SHOT;
		}
	}
	if (!known && track_new(&p, n, rc, st) < 0)
		return TC_ACT_OK;
	if (p.frag != FRAG_NONE)
		st->fragments++;
	int forwarded = rc == BPF_FIB_LKUP_RET_SUCCESS;
	if (forwarded) {
		/* before the rewrite, whose checksum helpers may move the data */
		struct ethhdr *eth = data;
		if ((void *)(eth + 1) > end) {
			st->errors++;
			return TC_ACT_SHOT;
		}
		__builtin_memcpy(eth, hop->macs, sizeof(hop->macs));
	} else if (rc != BPF_FIB_LKUP_RET_NOT_FWDED && rc != BPF_FIB_LKUP_RET_FWD_DISABLED) {
		st->fib_failures++;
	}
	if (n->flags & CT_DSR) {
		if (!forwarded) {
			st->dropped++;
			return TC_ACT_SHOT;
		}
		count_service(n);
		st->redirected++;
		return bpf_redirect(hop->ifindex, 0);
	}
	int verdict = tc_rewrite(skb, data, end, &p, n, st, forwarded ? &st->redirected : &st->passed);
	if (verdict < 0)
		return forwarded ? TC_ACT_SHOT : TC_ACT_OK; /* a forwarded one has the next hop's MACs already */
	if (verdict != TC_ACT_OK || !forwarded)
		return verdict;
	/* into the backend's namespace at once (no backlog, no egress queue), where the link allows */
	return hop->peer ? bpf_redirect_peer(hop->ifindex, 0) : bpf_redirect(hop->ifindex, 0);
}

/*
 * Requests when every backend is on this host: the packet goes up the local stack either way, and
 * an skb program rewrites its headers in place, where an XDP program on a veth gets locally sent
 * TCP only as a copy (generic and native mode alike).
 */
SEC("tc")
int zonlb_tc_in(struct __sk_buff *skb)
{
	return tc_ingress(skb, 0);
}

/*
 * Requests and replies of backends behind a link, on an skb, where the driver chose that over XDP
 * (README: native XDP on a veth turns its peer's TSO off, and XDP gets a locally sent packet only as
 * a copy): translated as zonlb_xdp translates them and redirected whole, a GSO packet as one. A
 * packet too big for the path is dropped and counted (no answer: the driver keeps XDP, which answers
 * it, for configs whose links differ in MTU).
 */
SEC("tc")
int zonlb_tc_fwd(struct __sk_buff *skb)
{
	return tc_ingress(skb, 1);
}

char _license[] SEC("license") = "GPL";
