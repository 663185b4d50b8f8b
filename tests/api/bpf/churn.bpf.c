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
