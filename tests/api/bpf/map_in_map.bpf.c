/* map_in_map: maps of maps the host fills (tests/api/map_in_map_test.cc).
 * read_slot and read_key read value 0 of the inner map in the outer map's
 * slot / key given in the context (1000: none there) and count their runs
 * in the inner map's value 1. With -DBAD_VALUES, `.values` put a map into
 * an outer map whose template it does not match. */
#include "ringb_test.h"

struct inner_def {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

/* Empty until the host stores maps. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_def);
} outer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_def);
} outer_hash SEC(".maps");

/* early's `.values` name late. libbpf fills slots as it creates maps, so
 * it wants the inner map first (and clang puts it first here); ringb
 * creates all maps before it fills any, which the test checks by moving
 * late behind early in the loaded Object. */
struct inner_def late SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner_def);
} early SEC(".maps") = {
	.values = { [0] = &late },
};

#ifdef BAD_VALUES
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, __u64);
} five SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner_def);
} mismatched SEC(".maps") = {
	.values = { [0] = (void *)&five },
};
#endif

struct args {
	__u32 key;
};

static __always_inline int read_inner(void *inner)
{
	__u32 zero = 0, one = 1;
	if (!inner)
		return 1000;
	__u64 *count = bpf_map_lookup_elem(inner, &one);
	if (count)
		__sync_fetch_and_add(count, 1);
	__u64 *v = bpf_map_lookup_elem(inner, &zero);
	return v ? *v : 2000;
}

SEC("syscall")
int read_slot(struct args *a)
{
	__u32 key = a->key;
	return read_inner(bpf_map_lookup_elem(&outer, &key));
}

SEC("syscall")
int read_key(struct args *a)
{
	__u32 key = a->key;
	return read_inner(bpf_map_lookup_elem(&outer_hash, &key));
}

/* 77 when early[0] holds late. */
SEC("syscall")
int read_late(void *ctx)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&early, &zero) ? 77 : 1;
}

#ifdef BAD_VALUES
SEC("syscall")
int read_mismatched(void *ctx)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&mismatched, &zero) ? 1 : 0;
}
#endif
