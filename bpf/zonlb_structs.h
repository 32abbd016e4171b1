/*
 * The structs of the maps (their keys and values) and of the headers the uapi lacks. Every map
 * value's padding is a named field: -Wpadded (an error here) refuses a hole the compiler would add,
 * so a key hashes no stray byte and zonlab's TypeScript writes what the C reads (the layouts are
 * checked against the object's BTF when it loads: src/drivers/embedded/btf-layout.ts).
 */
#ifndef ZONLB_STRUCTS_H
#define ZONLB_STRUCTS_H

#include <linux/types.h>
#include "zonlb_consts.h"

#pragma clang diagnostic push
#pragma clang diagnostic error "-Wpadded"

/*
 * The ICMP/ICMPv6 echo header, declared here: <linux/icmp.h> pulls in glibc's <sys/socket.h>, which
 * for -target bpf wants the 32-bit glibc headers (gnu/stubs-32.h) that a fresh Debian lacks.
 */
struct echo_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};

/* RFC 8200's fragment header (the kernel's struct frag_hdr is not in the uapi headers) */
struct frag6_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 id;
};

struct addr {
	__be32 w[4]; /* IPv4 in w[0] */
};

struct svc_key {
	struct addr vip;
	__be16 port; /* 0 for ICMP */
	__u8 proto;
	__u8 family;
};

struct backend {
	struct addr ip;
	struct addr src;
	__be16 port;
	__u8 has_src;
	__u8 flags; /* B_DSR_L2 */
};

struct svc {
	__u32 count;
	__u32 slot; /* the service's place in svc_stats (userspace numbers the services of the config) */
	struct backend b[MAX_BACKENDS];
};

/* a flow as seen on the wire: the conntrack key */
struct flow {
	struct addr src;
	struct addr dst;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u16 pad;
};

/* what to do with a flow's packets; for CT_DSR, dst is the backend to look up, not a rewrite */
struct nat {
	struct addr src;
	struct addr dst;
	__be16 sport; /* beside dport, as in struct flow and the L4 header: one 32-bit checksum word */
	__be16 dport;
	__u32 stat; /* its counts in svc_stats */
	__u8 flags; /* CT_* */
	__u8 pad[3];
};

/*
 * The FIB's answer for a tracked flow, kept beside it for a while: the link, the MACs and the path
 * MTU, so that most packets need no lookup. Refreshed by whichever CPU finds it stale; they all
 * write what the FIB says, so a reader never sees a mix of two answers unless a route changes.
 */
struct hop {
	__u64 expires;
	__u8 macs[2 * 6]; /* destination, then source, as in an Ethernet header */
	__u32 ifindex;
	__u16 mtu;
	__u8 peer; /* ifindex is in peer_links */
	__u8 pad[5];
};

struct ct {
	struct nat nat;
	__u32 pad;
	struct hop hop;
};

/* a copy of a conntrack entry in a CPU's flow cache (zonlb_flowcache.h), good while conntrack's epoch is still the one it was taken under */
struct cached_ct {
	struct flow f;
	__u64 epoch;
	struct ct ct;
};

/* a set of ports, a bit each: port p is bit p % 64 of bits[p / 64] */
struct port_set {
	__u64 bits[65536 / 64];
};

/* a datagram in fragments: the first fragment's ports, for those that follow (they carry no L4 header) */
struct frag_key {
	struct addr src;
	struct addr dst;
	__be32 id; /* IPv4's 16-bit id in network order, or IPv6's */
	__u8 proto;
	__u8 family;
	__u16 pad;
};

struct ports {
	__be16 sport;
	__be16 dport;
};

/* packets per service slot and backend, [0] toward the backend, [1] its replies: the proof per check */
struct svc_stat {
	__u64 packets[2];
};

/* the program's counters, one per CPU, fetched once a packet; zonlab reads them by these names */
struct stats {
	__u64 packets;
	__u64 matched;
	__u64 redirected;
	__u64 passed;
	__u64 dropped;
	__u64 ct_inserts;
	__u64 ct_hits;
	__u64 ct_misses;
	__u64 fib_failures;
	__u64 errors;
	__u64 fragments;
	__u64 fragments_unknown;
	__u64 too_big_sent;
	__u64 tc_replies;
};

#pragma clang diagnostic pop

#endif
