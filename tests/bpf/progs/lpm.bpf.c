/* SPDX-License-Identifier: MIT */
/* BPF_MAP_TYPE_LPM_TRIE: longest-prefix match over IPv4 prefixes, and the
 * kernel's errnos. Each program starts from an empty trie. */
#include "ringb_test.h"
#include <bpf/bpf_endian.h>

struct v4_key {
	__u32 prefixlen;
	__u8 data[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4);
	__type(key, struct v4_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} trie SEC(".maps");

static __always_inline struct v4_key k(__u32 addr, __u32 len)
{
	struct v4_key key = {.prefixlen = len};

	key.data[0] = addr >> 24;
	key.data[1] = addr >> 16;
	key.data[2] = addr >> 8;
	key.data[3] = addr;
	return key;
}

static __always_inline long put(__u32 addr, __u32 len, __u32 v, __u64 flags)
{
	struct v4_key key = k(addr, len);

	return bpf_map_update_elem(&trie, &key, &v, flags);
}

static __always_inline __u32 get(__u32 addr)
{
	struct v4_key key = k(addr, 32);
	__u32 *v = bpf_map_lookup_elem(&trie, &key);

	return v ? *v : 0;
}

/* 10/8 -> 1, 10.1/16 -> 2, 10.1.2/24 -> 3: the longest prefix wins */
SEC("tc") __retval(0x3210)
int lpm_longest(struct __sk_buff *skb)
{
	int r;

	if (put(0x0a000000, 8, 1, BPF_ANY) || put(0x0a010000, 16, 2, BPF_ANY) || put(0x0a010200, 24, 3, BPF_ANY))
		return -1;
	r = get(0x0a010203) << 12;
	r |= get(0x0a010909) << 8;
	r |= get(0x0a090909) << 4;
	return r | get(0x0b000000);
}

/* inserted the other way round, with a sibling that needs an intermediate node */
SEC("tc") __retval(0x3451)
int lpm_reverse_order(struct __sk_buff *skb)
{
	int r;

	if (put(0x0a010200, 24, 3, BPF_ANY) || put(0x0a010300, 24, 4, BPF_ANY) || put(0x0a000000, 8, 1, BPF_ANY) ||
	    put(0xc0a80000, 16, 5, BPF_ANY))
		return -1;
	r = get(0x0a010201) << 12;
	r |= get(0x0a0103ff) << 8;
	r |= get(0xc0a80101) << 4;
	return r | get(0x0a7f0000);
}

/* the kernel's errnos: prefixlen past 32, NOEXIST on an entry, EXIST on
 * none, flags past BPF_EXIST, a full trie, a delete of no entry */
SEC("tc") __retval(1)
int lpm_errnos(struct __sk_buff *skb)
{
	struct v4_key key;

	if (put(0x0a000000, 33, 1, BPF_ANY) != -22)
		return -1;
	if (put(0x0a000000, 8, 1, BPF_ANY) || put(0x0a000000, 8, 1, BPF_NOEXIST) != -17)
		return -2;
	if (put(0x0b000000, 8, 1, BPF_EXIST) != -2)
		return -3;
	if (put(0x0b000000, 8, 1, 3) != -22)
		return -4;
	if (put(0x0b000000, 8, 2, BPF_ANY) || put(0x0c000000, 8, 3, BPF_ANY) || put(0x0d000000, 8, 4, BPF_ANY))
		return -5;
	if (put(0x0e000000, 8, 5, BPF_ANY) != -28)
		return -6;
	if (put(0x0d000000, 8, 9, BPF_EXIST)) /* replacing needs no room */
		return -7;
	key = k(0x0a000000, 16);
	if (bpf_map_delete_elem(&trie, &key) != -2)
		return -8;
	key = k(0x0a000000, 40);
	if (bpf_map_delete_elem(&trie, &key) != -22)
		return -9;
	return get(0x0d010101) == 9;
}

/* deleting the /16 leaves the /8 to answer; deleting an intermediate's
 * child promotes its sibling */
SEC("tc") __retval(0x0114)
int lpm_delete(struct __sk_buff *skb)
{
	struct v4_key key;
	int r;

	if (put(0x0a000000, 8, 1, BPF_ANY) || put(0x0a010000, 16, 2, BPF_ANY) || put(0x0a020000, 16, 4, BPF_ANY))
		return -1;
	key = k(0x0a010000, 16);
	if (bpf_map_delete_elem(&trie, &key))
		return -2;
	key = k(0x0a000000, 8);
	if (bpf_map_delete_elem(&trie, &key))
		return -3;
	r = get(0x0a010101) << 12;
	r |= (put(0x0a000000, 8, 1, BPF_NOEXIST) == 0) << 8;
	r |= get(0x0a010101) << 4;
	return r | get(0x0a020202);
}
