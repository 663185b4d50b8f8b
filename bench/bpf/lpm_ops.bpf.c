/* lpm_ops.bpf.c — an LPM trie for `ringb bench`, in ringb and in the kernel:
 *   lpm_ops      10 × (update a /24, look up an address inside it, delete it)
 *   lpm_lookup   10 longest-prefix lookups in a trie of 32 prefixes of
 *                lengths 8..32 (filled by the first run), each address
 *                matching a different depth
 * Both return how many lookups found what they should. */
#include "ringb_test.h"

#define be32(x) __builtin_bswap32(x)

struct lpm_key {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u32);
} churn SEC(".maps"), routes SEC(".maps");

__u32 filled;

SEC("tc") int lpm_ops(struct __sk_buff *skb)
{
	int found = 0;

	for (__u32 i = 0; i < 10; i++) {
		struct lpm_key k = {24, be32(0x0a000000 | ((skb->len + i) & 0xff) << 8)};
		struct lpm_key q = {32, k.addr | be32(7)};
		__u32 v = i, *got;

		bpf_map_update_elem(&churn, &k, &v, BPF_ANY);
		got = bpf_map_lookup_elem(&churn, &q);
		if (got && *got == i)
			found++;
		bpf_map_delete_elem(&churn, &k);
	}
	return found;
}

/* Prefix i: length 8 + (i % 25), all inside 10.0.0.0/8 and nested where
 * their lengths allow, so lookups walk several levels. */
static __u32 prefix_addr(__u32 i)
{
	return 0x0a000000 | (i * 0x00050301 & 0x00ffffff);
}

SEC("tc") int lpm_lookup(struct __sk_buff *skb)
{
	int found = 0;

	if (!filled) {
		for (__u32 i = 0; i < 32; i++) {
			__u32 len = 8 + i % 25;
			__u32 mask = len == 32 ? 0xffffffff : ~(0xffffffffu >> len);
			struct lpm_key k = {len, be32(prefix_addr(i) & mask)};
			__u32 v = len;

			bpf_map_update_elem(&routes, &k, &v, BPF_ANY);
		}
		filled = 1;
	}
	for (__u32 i = 0; i < 10; i++) {
		struct lpm_key q = {32, be32(prefix_addr(i * 3 + (skb->len & 1)))};
		__u32 *len = bpf_map_lookup_elem(&routes, &q);

		if (len && *len >= 8)
			found++;
	}
	return found;
}
