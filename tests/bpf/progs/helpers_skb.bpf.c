/* SPDX-License-Identifier: MIT */
/* Packet helpers on the tc test packet (ringb_test_packet.h): checksums,
 * bytes, pulling, growing and shrinking, the MTU check, with the kernel's
 * errnos for bad arguments. Checksums were worked out with Python's own
 * ones'-complement arithmetic (not ringb's). */
#include "ringb_test.h"
#include <bpf/bpf_endian.h>

#define ETH 14
#define IP_CSUM_OFF (ETH + 10)
#define UDP_CSUM_OFF (ETH + 20 + 6) /* zero padding in the test packet */
#define ENOTSUPP 524
#define EFAULT 14
#define ENOMEM 12
#define ENODEV 19

/* ---- bpf_csum_diff ------------------------------------------------------- */

/* Pushing 01..08: words 0x04030201 + 0x08070605 folded to 16 bits = 0x1410. */
SEC("tc") __retval(0x1410)
int csum_diff_push(struct __sk_buff *skb)
{
	__u32 to[2] = {0x04030201, 0x08070605};
	return bpf_csum_diff(0, 0, to, 8, ringb_opaque(0));
}

/* The same with seed 0x12345678: 0x7cbc. */
SEC("tc") __retval(0x7cbc)
int csum_diff_seed(struct __sk_buff *skb)
{
	__u32 to[2] = {0x04030201, 0x08070605};
	return bpf_csum_diff(0, 0, to, 8, ringb_opaque(0x12345678));
}

/* Pulling 10.0.0.1 (bytes 0a 00 00 01): ~partial(~0) folded = 0xfef5. */
SEC("tc") __retval(0xfef5)
int csum_diff_pull(struct __sk_buff *skb)
{
	__u32 from[1] = {0x0100000a};
	return bpf_csum_diff(from, 4, 0, 0, ringb_opaque(0));
}

/* 10.0.0.1 -> 10.0.0.9: the difference 0x0800. */
SEC("tc") __retval(0x800)
int csum_diff_diff(struct __sk_buff *skb)
{
	__u32 from[1] = {0x0100000a}, to[1] = {0x0900000a};
	return bpf_csum_diff(from, 4, to, 4, ringb_opaque(0));
}

/* Neither: the seed, folded too: 0x1234 + 0x5678. */
SEC("tc") __retval(0x68ac)
int csum_diff_none(struct __sk_buff *skb)
{
	return bpf_csum_diff(0, 0, 0, 0, ringb_opaque(0x12345678));
}

/* Linux 6.18 takes any size: the 2-byte tail counts zero-padded, 1 + 2. */
SEC("tc") __retval(3)
int csum_diff_odd_size(struct __sk_buff *skb)
{
	__u32 to[2] = {1, 2};
	return bpf_csum_diff(0, 0, to, 6, 0);
}

/* ---- l3 / l4 checksum replacement ---------------------------------------- */

/* TTL 64 -> 63 (the u16 ttl|proto 0x4011 -> 0x3f11, raw bytes), then the
 * stored IP checksum, as a little-endian load of its bytes: 55 a3 -> 0xa355. */
SEC("tc") __retval(0xa355)
int l3_replace2_ttl(struct __sk_buff *skb)
{
	__u16 old = bpf_htons(0x4011), new = bpf_htons(0x3f11), sum = 0;
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, old, new, 2)) return -1;
	bpf_skb_load_bytes(skb, IP_CSUM_OFF, &sum, 2);
	return sum;
}

/* daddr 10.0.0.2 -> 10.0.0.9 with a 4-byte replace: checksum 54 9c. */
SEC("tc") __retval(0x9c54)
int l3_replace4_daddr(struct __sk_buff *skb)
{
	__u32 old = bpf_htonl(0x0a000002), new = bpf_htonl(0x0a000009);
	__u16 sum = 0;
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, old, new, 4)) return -1;
	bpf_skb_load_bytes(skb, IP_CSUM_OFF, &sum, 2);
	return sum;
}

/* The same through csum_diff and the "by diff" form (size 0). */
SEC("tc") __retval(0x9c54)
int l3_replace_by_diff(struct __sk_buff *skb)
{
	__u32 from[1] = {bpf_htonl(0x0a000002)}, to[1] = {bpf_htonl(0x0a000009)};
	__s64 diff = bpf_csum_diff(from, 4, to, 4, 0);
	__u16 sum = 0;
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, 0, diff, 0)) return -1;
	bpf_skb_load_bytes(skb, IP_CSUM_OFF, &sum, 2);
	return sum;
}

/* Bad arguments, one bit each: 1 flags, 2 odd offset, 4 past the packet,
 * 8 "from" with size 0, 16 size 3. */
SEC("tc") __retval(31)
int l3_replace_errors(struct __sk_buff *skb)
{
	int r = 0;
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, 0, 0, BPF_F_PSEUDO_HDR) == -22) r |= 1;
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF + 1, 0, 0, 2) == -EFAULT) r |= 2;
	if (bpf_l3_csum_replace(skb, 64, 0, 0, 2) == -EFAULT) r |= 4;
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, 1, 0, 0) == -22) r |= 8;
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, 0, 0, 3) == -22) r |= 16;
	return r;
}

/* A zero UDP checksum with BPF_F_MARK_MANGLED_0 stays zero. */
SEC("tc") __retval(0)
int l4_mangled0_untouched(struct __sk_buff *skb)
{
	__u16 sum = 1;
	if (bpf_l4_csum_replace(skb, UDP_CSUM_OFF, 0, bpf_htons(5), BPF_F_MARK_MANGLED_0 | 2)) return -1;
	bpf_skb_load_bytes(skb, UDP_CSUM_OFF, &sum, 2);
	return sum;
}

/* With BPF_F_MARK_ENFORCE it is updated: ~(~0 - 0 + 0x0500 raw) = 0xfaff;
 * replacing 0 by 0 instead leaves ~(0xffff) = 0, marked as 0xffff. */
SEC("tc") __retval(0xfaffffff)
int l4_mangled0_enforced(struct __sk_buff *skb)
{
	__u16 a = 0, b = 0;
	if (bpf_l4_csum_replace(skb, UDP_CSUM_OFF, 0, bpf_htons(5), BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | 2))
		return -1;
	bpf_skb_load_bytes(skb, UDP_CSUM_OFF, &a, 2);
	if (bpf_l4_csum_replace(skb, UDP_CSUM_OFF + 2, 0, 0, BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | 2))
		return -2;
	bpf_skb_load_bytes(skb, UDP_CSUM_OFF + 2, &b, 2);
	return (__u32)a << 16 | b;
}

/* The pseudo-header and IPv6 flags are accepted; an unknown bit is not. */
SEC("tc") __retval(3)
int l4_replace_flags(struct __sk_buff *skb)
{
	int r = 0;
	if (bpf_l4_csum_replace(skb, UDP_CSUM_OFF, 0, 0, BPF_F_PSEUDO_HDR | BPF_F_IPV6 | 2) == 0) r |= 1;
	if (bpf_l4_csum_replace(skb, UDP_CSUM_OFF, 0, 0, (1ULL << 8) | 2) == -22) r |= 2;
	return r;
}

/* Test runs' packets are CHECKSUM_NONE: csum_update answers -ENOTSUPP. */
SEC("tc") __retval(-524)
int csum_update_none(struct __sk_buff *skb)
{
	return bpf_csum_update(skb, 1);
}

/* ---- bytes ------------------------------------------------------------- */

/* In range: the IP version byte; past the end (-EFAULT, buffer zeroed). */
SEC("tc") __retval(0x45)
int load_bytes_in_range(struct __sk_buff *skb)
{
	__u8 b = 0;
	if (bpf_skb_load_bytes(skb, ETH, &b, 1)) return -1;
	return b;
}

SEC("tc") __retval(-14)
int load_bytes_past_end(struct __sk_buff *skb)
{
	__u32 w = 7;
	long r = bpf_skb_load_bytes(skb, ringb_opaque(61), &w, 4);
	return w == 0 ? r : -1;
}

/* store_bytes: unknown flags -EINVAL, past the end -EFAULT, else written. */
SEC("tc") __retval(0x77)
int store_bytes(struct __sk_buff *skb)
{
	__u8 v = 0x77, b = 0;
	if (bpf_skb_store_bytes(skb, 40, &v, 1, 4) != -22) return -1;
	if (bpf_skb_store_bytes(skb, 64, &v, 1, 0) != -EFAULT) return -2;
	if (bpf_skb_store_bytes(skb, 63, &v, 1, BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)) return -3;
	bpf_skb_load_bytes(skb, 63, &b, 1);
	return b;
}

/* ---- pull, tail, head ------------------------------------------------- */

/* pull_data: 0 (the whole head) and 64 succeed, 65 is -ENOMEM. */
SEC("tc") __retval(-12)
int pull_data(struct __sk_buff *skb)
{
	if (bpf_skb_pull_data(skb, 0)) return -1;
	if (bpf_skb_pull_data(skb, 64)) return -2;
	return bpf_skb_pull_data(skb, 65);
}

/* change_tail to 100 then back: the length seen in between. */
SEC("tc") __retval(100)
int change_tail_grow(struct __sk_buff *skb)
{
	if (bpf_skb_change_tail(skb, 100, 0)) return -1;
	__u32 len = skb->len;
	if (bpf_skb_change_tail(skb, 64, 0)) return -2;
	return len;
}

/* Limits: flags -EINVAL; below the network header (14) -EINVAL; 14 ok;
 * BPF_SKB_MAX_LEN (16064) ok, one more -EINVAL. One bit each. */
SEC("tc") __retval(31)
int change_tail_limits(struct __sk_buff *skb)
{
	int r = 0;
	if (bpf_skb_change_tail(skb, 64, 1) == -22) r |= 1;
	if (bpf_skb_change_tail(skb, 13, 0) == -22) r |= 2;
	if (bpf_skb_change_tail(skb, 14, 0) == 0 && skb->len == 14) r |= 4;
	if (bpf_skb_change_tail(skb, 16064, 0) == 0 && skb->len == 16064) r |= 8;
	if (bpf_skb_change_tail(skb, 16065, 0) == -22) r |= 16;
	bpf_skb_change_tail(skb, 64, 0);
	return r;
}

/* change_head(16): 80 bytes, the new 16 zeroed, the old start after them. */
SEC("tc") __retval(80)
int change_head(struct __sk_buff *skb)
{
	__u8 b[2] = {1, 1};
	if (bpf_skb_change_head(skb, 16, 0)) return -1;
	bpf_skb_load_bytes(skb, 15, &b[0], 1);
	bpf_skb_load_bytes(skb, 16, &b[1], 1);
	if (b[0] != 0 || b[1] != 0x02) return -2;
	return skb->len;
}

/* flags -EINVAL; a length above 16064 -EINVAL. */
SEC("tc") __retval(3)
int change_head_limits(struct __sk_buff *skb)
{
	int r = 0;
	if (bpf_skb_change_head(skb, 16, 1) == -22) r |= 1;
	if (bpf_skb_change_head(skb, 16064 - 63, 0) == -22) r |= 2;
	return r;
}

/* ---- check_mtu (the test device is lo: MTU 65536) ------------------------- */

SEC("tc") __retval(65536)
int check_mtu_lo(struct __sk_buff *skb)
{
	__u32 mtu = 0;
	if (bpf_check_mtu(skb, 0, &mtu, 0, 0) != BPF_MTU_CHK_RET_SUCCESS) return -1;
	return mtu;
}

/* skb->len + len_diff against 65536 + 14; *mtu_len as an L3 length. One
 * bit each. */
SEC("tc") __retval(127)
int check_mtu_cases(struct __sk_buff *skb)
{
	__u32 mtu = 0;
	int r = 0;
	if (bpf_check_mtu(skb, 1, &mtu, 65550 - 64, 0) == BPF_MTU_CHK_RET_SUCCESS) r |= 1;
	mtu = 0;
	if (bpf_check_mtu(skb, 1, &mtu, 65551 - 64, 0) == BPF_MTU_CHK_RET_FRAG_NEEDED && mtu == 65536) r |= 2;
	mtu = 65536;
	if (bpf_check_mtu(skb, 0, &mtu, 0, 0) == BPF_MTU_CHK_RET_SUCCESS) r |= 4;
	mtu = 65537;
	if (bpf_check_mtu(skb, 0, &mtu, 0, 0) == BPF_MTU_CHK_RET_FRAG_NEEDED) r |= 8;
	mtu = 0;
	if (bpf_check_mtu(skb, 0, &mtu, 0, 2) == -22) r |= 16;
	if (bpf_check_mtu(skb, 0, &mtu, 1, BPF_MTU_CHK_SEGS) == -22) r |= 32;
	if (bpf_check_mtu(skb, 0x7fffffff, &mtu, 0, 0) == -ENODEV) r |= 64;
	return r;
}
