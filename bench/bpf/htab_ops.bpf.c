/* htab_ops.bpf.c — 10 × (update, lookup, delete) on a hash map per run, in
 * the four shapes the seed compares: preallocated or not, plain or per-cpu. */
#include "ringb_test.h"

#define HTAB(name, map_type, flags)                         \
	struct {                                        \
		__uint(type, map_type);                     \
		__uint(max_entries, 1024);              \
		__uint(map_flags, flags);               \
		__type(key, __u32);                     \
		__type(value, __u64);                   \
	} name SEC(".maps")

HTAB(htab_prealloc, BPF_MAP_TYPE_HASH, 0);
HTAB(htab_dynamic, BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC);
HTAB(percpu_prealloc, BPF_MAP_TYPE_PERCPU_HASH, 0);
HTAB(percpu_dynamic, BPF_MAP_TYPE_PERCPU_HASH, BPF_F_NO_PREALLOC);

#define OPS(prog, map)                                                   \
	SEC("tc") int prog(struct __sk_buff *skb)                         \
	{                                                                 \
		int found = 0;                                            \
		for (__u32 i = 0; i < 10; i++) {                          \
			__u32 key = skb->len + i;                         \
			__u64 value = i * 3, *v;                          \
			bpf_map_update_elem(&map, &key, &value, BPF_ANY); \
			v = bpf_map_lookup_elem(&map, &key);              \
			if (v && *v == value)                             \
				found++;                                  \
			bpf_map_delete_elem(&map, &key);                  \
		}                                                         \
		return found;                                             \
	}

OPS(ops_prealloc, htab_prealloc)
OPS(ops_dynamic, htab_dynamic)
OPS(ops_percpu_prealloc, percpu_prealloc)
OPS(ops_percpu_dynamic, percpu_dynamic)
