/* Constants of the embedded load balancer: the C home of those zonlab's TypeScript shares (src/drivers/embedded/maps.ts, checked against the object's BTF at load). */
#ifndef ZONLB_CONSTS_H
#define ZONLB_CONSTS_H

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

#define IP_DF 0x4000
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff
#define IP6_FRAG_OFFSET 0xfff8 /* RFC 8200: the fragment offset, above the M flag */
#define ANSWER_TTL 64          /* hop limit of the ICMP answers this program builds */

#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_FRAG_NEEDED 4
#define ICMP_ECHO 8
#define ICMPV6_PKT_TOOBIG 2
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129

/* the sizes of the maps: the services a config has, the backends a service has */
#define MAX_BACKENDS 64 /* a power of two: a backend's index is masked with MAX_BACKENDS - 1 */
#define MAX_SERVICES 256
#define MAX_PEER_LINKS 256 /* the veths of the config whose peer is in another namespace (zonlb_tc_fwd) */
#define MAX_FLOWS 131072    /* both directions of 65,536 flows (zon-lb at HEAD tracks 10, which breaks parallel flows) */
#define MAX_FRAGMENTED 8192 /* datagrams in fragments at a time */
#define FLOW_CACHE_SLOTS 256 /* per CPU; a power of two: a slot is a hash of the flow's, masked */
enum { CT_INSERTS = 0, CT_FLUSHES = 1 }; /* the words of the ct_epoch map */
/* the sets of port_sets: the services' ports (zonlab's), the ports tracked replies come from (the program's) */
enum { PS_SERVICES = 0, PS_REPLIES = 1 };

#define NO_MTU 0xffff       /* a hop's MTU before the FIB gives one, and the tot_len that asks it for the path MTU */
#ifndef HOP_TTL_NS
#define HOP_TTL_NS 1000000000ULL /* scripts/bench-xdp-prog.mjs builds it with 0: a FIB lookup every packet */
#endif

enum { B_DSR_L2 = 1 }; /* struct backend's flags */
/*
 * struct nat's flags. CT_LOCAL: the destination is this host (no FIB lookup); CT_DSR: only the MACs
 * change; CT_VIP_SRC: the source became the VIP (no src_ip), until the backend turns out to be local
 */
enum { CT_REPLY = 1, CT_LOCAL = 2, CT_DSR = 4, CT_VIP_SRC = 8 };

#endif
