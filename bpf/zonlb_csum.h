/* One's complement arithmetic for the checksums a rewrite changes (RFC 1071, RFC 1624). */
#ifndef ZONLB_CSUM_H
#define ZONLB_CSUM_H

#include <linux/types.h>

static __always_inline __u16 csum_fold(__s64 sum)
{
	__u64 s = (__u64)sum;
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~(__u16)s;
}

/* RFC 1624's m' - m as a 32-bit one's complement sum: what the kernel's checksum helpers call a diff */
static __always_inline __u64 csum_diff_words(const __be32 *old, const __be32 *new, int words, __u64 sum)
{
#pragma unroll
	for (int i = 0; i < 4; i++)
		if (i < words)
			sum += (__u32)~old[i] + (__u64)new[i];
	return sum;
}

static __always_inline __u32 csum_diff_fold32(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	return (__u32)((sum & 0xffffffff) + (sum >> 32));
}

/* a full checksum with a diff applied: HC' = ~(~HC + diff) */
static __always_inline void csum_apply(__sum16 *check, __u32 diff)
{
	*check = csum_fold((__u64)diff + (__u32)~(__u32)*check);
}

#endif
