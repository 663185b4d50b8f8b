/* maps_array: BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY through the
 * map helpers, with their error codes (returned negated):
 *   update with key >= max_entries       -E2BIG
 *   update with BPF_NOEXIST (always exists) -EEXIST
 *   delete (arrays cannot delete)        -EINVAL
 *   lookup with key >= max_entries       NULL
 * Maps are created fresh for each test, so all values start at zero. */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct pair {
	__u32 a;
	__u32 b;
	__u64 c;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, struct pair);
} recs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

/* Fresh value 0; update(0, 77) = 0; lookup sees 77; increment through the
 * pointer, lookup again sees 78. returns (first + 1) * 1000 + err * 100
 * + last. */
SEC("tc") __retval(1078)
int array_lookup_update(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 val = 77, *p;

	p = bpf_map_lookup_elem(&arr, &key);
	if (!p)
		return -1;
	__u64 first = *p;
	long err = bpf_map_update_elem(&arr, &key, &val, BPF_ANY);
	p = bpf_map_lookup_elem(&arr, &key);
	if (!p)
		return -2;
	*p += 1;
	p = bpf_map_lookup_elem(&arr, &key);
	if (!p)
		return -3;
	return (int)((first + 1) * 1000 + err * 100 + *p);
}

/* lookup of keys 4 and 0xffffffff (>= max_entries) gives NULL; key 3 (the
 * last) works.  bits: null(4) | null(~0) << 1 | present(3) << 2 = 7. */
SEC("tc") __retval(7)
int array_lookup_out_of_range(struct __sk_buff *skb)
{
	__u32 k4 = ringb_opaque(4u), kmax = ringb_opaque(~0u), k3 = ringb_opaque(3u);
	int r = 0;

	if (!bpf_map_lookup_elem(&arr, &k4))
		r |= 1;
	if (!bpf_map_lookup_elem(&arr, &kmax))
		r |= 2;
	if (bpf_map_lookup_elem(&arr, &k3))
		r |= 4;
	return r;
}

/* Error codes: update(4, ANY) = -E2BIG (7), update(1, NOEXIST) = -EEXIST
 * (17), update(1, EXIST) = 0, delete(1) = -EINVAL (22), update with an
 * unknown flag (8) = -EINVAL (22); returned as two-digit groups
 * 07 17 00 22 22. */
SEC("tc") __retval(717002222)
int array_update_errors(struct __sk_buff *skb)
{
	__u32 k4 = 4, k1 = 1;
	__u64 v = 5;
	long e1 = bpf_map_update_elem(&arr, &k4, &v, BPF_ANY);
	long e2 = bpf_map_update_elem(&arr, &k1, &v, BPF_NOEXIST);
	long e3 = bpf_map_update_elem(&arr, &k1, &v, BPF_EXIST);
	long e4 = bpf_map_delete_elem(&arr, &k1);
	long e5 = bpf_map_update_elem(&arr, &k1, &v, 8);

	return (int)((((-e1 * 100 - e2) * 100 - e3) * 100 - e4) * 100 - e5);
}

/* A struct value modified in place: recs[2] = {a += 3, b = a * 2,
 * c = 0x100000000 + b}, re-read: 3 + 6 * 10 + (c >> 32) * 100 + (u32)c * 1000
 * = 3 + 60 + 100 + 6000. */
SEC("syscall") __retval(6163)
int array_struct_value(void *ctx)
{
	__u32 key = 2;
	struct pair *p = bpf_map_lookup_elem(&recs, &key);

	if (!p)
		return -1;
	p->a += 3;
	p->b = p->a * 2;
	p->c = 0x100000000ull + p->b;
	p = bpf_map_lookup_elem(&recs, &key);
	if (!p)
		return -2;
	return (int)(p->a + p->b * 10 + (p->c >> 32) * 100 + (__u32)p->c * 1000);
}

/* Per-CPU array: update and lookup act on the current CPU's copy.  update(0,
 * 5), += 10 through the pointer -> 15; bpf_map_lookup_percpu_elem for this
 * CPU sees the same 15; key 2 (>= max_entries) -> NULL.
 * returns 15 * 100 + same * 10 + null. */
SEC("tc") __retval(1511)
int percpu_array(struct __sk_buff *skb)
{
	__u32 key = 0, bad = 2;
	__u64 v = 5, *p, *q;

	if (bpf_map_update_elem(&pcpu, &key, &v, BPF_ANY))
		return -1;
	p = bpf_map_lookup_elem(&pcpu, &key);
	if (!p)
		return -2;
	*p += 10;
	q = bpf_map_lookup_percpu_elem(&pcpu, &key, bpf_get_smp_processor_id());
	if (!q)
		return -3;
	return (int)(*p * 100 + (*q == *p) * 10 + (bpf_map_lookup_elem(&pcpu, &bad) == 0));
}

struct bpf_map;

struct sum_ctx {
	__u64 sum;
	__u32 calls;
};

static long add_value(struct bpf_map *map, __u32 *key, __u64 *val, struct sum_ctx *ctx)
{
	ctx->sum += *val * (*key + 1);
	ctx->calls++;
	return 0; /* continue */
}

/* bpf_for_each_map_elem over an array visits every index in order:
 * arr[i] = i * 10 + 1 for i < 4, sum of arr[i] * (i + 1) = 1 + 22 + 63 + 124
 * = 210 over 4 calls; helper returns 4. returns sum * 100 + calls * 10 + n. */
SEC("tc") __retval(21044)
int array_for_each(struct __sk_buff *skb)
{
	struct sum_ctx ctx = {};

	for (__u32 i = 0; i < 4; i++) {
		/* the key gets its own slot: a loop counter whose address goes to
		 * a helper can no longer be tracked by the verifier */
		__u32 key = i;
		__u64 v = i * 10 + 1;
		bpf_map_update_elem(&arr, &key, &v, BPF_ANY);
	}
	long n = bpf_for_each_map_elem(&arr, add_value, &ctx, 0);
	return (int)(ctx.sum * 100 + ctx.calls * 10 + n);
}
