/* churn.bpf.c — hash-map churn for the concurrency test: each run inserts 16
 * keys derived from the packet length, then deletes every other one, so each
 * distinct packet length leaves exactly 8 keys behind, whose values equal
 * their keys. One program per map shape. */
#include "ringb_test.h"

#define HTAB(name, map_type, flags)                 \
	struct {                                \
		__uint(type, map_type);             \
		__uint(max_entries, 4096);      \
		__uint(map_flags, flags);       \
		__type(key, __u32);             \
		__type(value, __u64);           \
	} name SEC(".maps")

HTAB(prealloc, BPF_MAP_TYPE_HASH, 0);
HTAB(dynamic, BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC);
HTAB(percpu, BPF_MAP_TYPE_PERCPU_HASH, BPF_F_NO_PREALLOC);

#define CHURN(prog, map)                                                        \
	SEC("tc") int prog(struct __sk_buff *skb)                              \
	{                                                                      \
		__u32 base = skb->len * 16;                                    \
		for (__u32 i = 0; i < 16; i++) {                               \
			__u32 key = base + i;                                  \
			__u64 value = key;                                     \
			if (bpf_map_update_elem(&map, &key, &value, BPF_ANY))  \
				return 1;                                      \
		}                                                              \
		for (__u32 i = 0; i < 16; i += 2) {                            \
			__u32 key = base + i;                                  \
			if (bpf_map_delete_elem(&map, &key))                   \
				return 2;                                      \
		}                                                              \
		return 0;                                                      \
	}

CHURN(churn_prealloc, prealloc)
CHURN(churn_dynamic, dynamic)
CHURN(churn_percpu, percpu)

/* Plain (non-atomic) reads and writes of one shared value from every
 * thread: a race the kernel accepts (increments may be lost), which ringb
 * must run as defined behaviour — TSan sees BPF's semantics, not a bug. The
 * atomic counter next to it counts exactly. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[2]);
} shared SEC(".maps");

SEC("tc") int racy_counter(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&shared, &zero);
	if (!v)
		return 1;
	v[0] += 1;				/* plain load and store */
	__sync_fetch_and_add(&v[1], 1);		/* atomic */
	return 0;
}
