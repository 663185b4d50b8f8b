/* lru_ops.bpf.c — LRU hash maps for `ringb bench`, against the hash maps of
 * htab_ops.bpf.c in the same run:
 *   lru_ops, lru_percpu_ops   10 × (update, lookup, delete), as htab_ops'
 *                             ops_* (the map never fills: no eviction)
 *   lru_evict, lru_nc_evict   10 inserts of new keys into a full map: each
 *                             evicts (common LRU / BPF_F_NO_COMMON_LRU)
 *   hash_churn                the same key stream on a preallocated hash,
 *                             deleting by hand the key inserted 1024 earlier:
 *                             what a program does without an LRU map
 * Keys of the evicting programs come from a global counter, so successive
 * runs keep inserting new keys. */
#include "ringb_test.h"

#define MAP(name, map_type, flags)                      \
	struct {                                        \
		__uint(type, map_type);                 \
		__uint(max_entries, 1024);              \
		__uint(map_flags, flags);               \
		__type(key, __u32);                     \
		__type(value, __u64);                   \
	} name SEC(".maps")

MAP(lru, BPF_MAP_TYPE_LRU_HASH, 0);
MAP(lru_percpu, BPF_MAP_TYPE_LRU_PERCPU_HASH, 0);
MAP(lru_full, BPF_MAP_TYPE_LRU_HASH, 0);
MAP(lru_nc_full, BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU);
MAP(hash_full, BPF_MAP_TYPE_HASH, 0);

__u32 next_key, next_key_nc, next_key_hash;

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

OPS(lru_ops, lru)
OPS(lru_percpu_ops, lru_percpu)

#define EVICT(prog, map, counter)                                          \
	SEC("tc") int prog(struct __sk_buff *skb)                           \
	{                                                                   \
		int ok = 0;                                                 \
		for (__u32 i = 0; i < 10; i++) {                            \
			__u32 key = counter++;                              \
			__u64 value = key;                                  \
			ok += bpf_map_update_elem(&map, &key, &value, BPF_ANY) == 0; \
		}                                                           \
		return ok;                                                  \
	}

EVICT(lru_evict, lru_full, next_key)
EVICT(lru_nc_evict, lru_nc_full, next_key_nc)

SEC("tc") int hash_churn(struct __sk_buff *skb)
{
	int ok = 0;

	for (__u32 i = 0; i < 10; i++) {
		__u32 key = next_key_hash++;
		__u32 old = key - 1024;
		__u64 value = key;

		if (key >= 1024)
			bpf_map_delete_elem(&hash_full, &old);
		ok += bpf_map_update_elem(&hash_full, &key, &value, BPF_ANY) == 0;
	}
	return ok;
}

char LICENSE[] SEC("license") = "GPL";
