/* Maps of maps whose definitions or `.values` the loader must refuse, one
 * way per VARIANT: 1 a slot naming a global variable, 2 a template with
 * `values` of its own, 3 `.values` in a hash of maps with 8-byte keys, 4
 * `values` in a hash map, 5 a slot past max_entries, 6 a pinned template. */
#include "ringb_test.h"

__u32 some_data = 1;

struct inner_def {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
#if VARIANT == 6
	__uint(pinning, 1);
#endif
};

struct inner_def inner_a SEC(".maps");

#if VARIANT == 2
struct nested_def {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner_def);
};
#endif

struct {
#if VARIANT == 3
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__type(key, __u64);
#elif VARIANT == 4
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
#else
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__type(key, __u32);
#endif
	__uint(max_entries, 2);
#if VARIANT == 2
	__array(values, struct nested_def);
#else
	__array(values, struct inner_def);
#endif
} bad_outer SEC(".maps") = {
	.values = {
#if VARIANT == 1
		[1] = (void *)&some_data,
#elif VARIANT == 2
		[0] = (void *)0,
#elif VARIANT == 5
		[5] = &inner_a,
#else
		[1] = &inner_a,
#endif
	},
};

SEC("syscall") int use(void *ctx)
{
	__u32 key = 0;
	return bpf_map_lookup_elem(&bad_outer, &key) ? 1 : 0;
}
