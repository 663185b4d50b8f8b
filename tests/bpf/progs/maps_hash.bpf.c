/* maps_hash: BPF_MAP_TYPE_HASH (preallocated and BPF_F_NO_PREALLOC) and
 * BPF_MAP_TYPE_PERCPU_HASH with the update flags and their error codes
 * (returned negated):
 *   BPF_NOEXIST on an existing key   -EEXIST
 *   BPF_EXIST on a missing key       -ENOENT
 *   delete of a missing key          -ENOENT
 *   insert of a new key when full    -E2BIG
 * Error codes are folded into the return value, so the retval checks them.
 * Maps are created fresh for each test. */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} h SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u64);
} h_noprealloc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} h_percpu SEC(".maps");

struct flow {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u32 proto; /* no padding anywhere: the key is hashed bytewise */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, struct flow);
	__type(value, __u32);
} flows SEC(".maps");

/* update(1, NOEXIST) = 0, update(1, NOEXIST) = -EEXIST (17),
 * update(2, EXIST) = -ENOENT (2), update(1, EXIST) = 0, lookup(1) = 12;
 * returns 17 * 10000 + 2 * 100 + 12, + 1000000 if an update that should
 * succeed failed. */
SEC("tc") __retval(170212)
int hash_update_flags(struct __sk_buff *skb)
{
	__u32 k1 = 1, k2 = 2;
	__u64 v10 = 10, v11 = 11, v20 = 20, v12 = 12, *p;
	long e1 = bpf_map_update_elem(&h, &k1, &v10, BPF_NOEXIST);
	long e2 = bpf_map_update_elem(&h, &k1, &v11, BPF_NOEXIST);
	long e3 = bpf_map_update_elem(&h, &k2, &v20, BPF_EXIST);
	long e4 = bpf_map_update_elem(&h, &k1, &v12, BPF_EXIST);

	p = bpf_map_lookup_elem(&h, &k1);
	if (!p)
		return -1;
	return (int)(-e2 * 10000 - e3 * 100 + *p + (e1 || e4) * 1000000);
}

/* delete(3) of a present key = 0, again = -ENOENT (2), lookup(3) = NULL,
 * lookup of a never-inserted key = NULL;
 * returns 3000 + -e2 * 100 + null * 10 + null2 = 3211. */
SEC("tc") __retval(3211)
int hash_delete(struct __sk_buff *skb)
{
	__u32 k3 = 3, k9 = 9;
	__u64 v = 30;

	if (bpf_map_update_elem(&h, &k3, &v, BPF_ANY))
		return -1;
	long e1 = bpf_map_delete_elem(&h, &k3);
	long e2 = bpf_map_delete_elem(&h, &k3);
	return (int)(3000 + e1 * 100000 - e2 * 100 + (bpf_map_lookup_elem(&h, &k3) == 0) * 10 +
		     (bpf_map_lookup_elem(&h, &k9) == 0));
}

/* Shared by the two "full" tests: fill a 4-entry hash map with keys 0..3,
 * insert key 4 (-E2BIG), overwrite existing key 2 with BPF_ANY while full
 * (fine: no new element), delete key 0, insert key 4 again (fine now).
 * returns inserted * 1000 + -e2big * 10 + (replace ok) * 2 + (reinsert ok)
 * = 4000 + 70 + 2 + 1. */
static __always_inline int insert(void *map, __u32 k)
{
	__u64 v = k * 100;

	return bpf_map_update_elem(map, &k, &v, BPF_NOEXIST) == 0;
}

static __always_inline int fill_until_full(void *map)
{
	/* not a loop: k would live on the stack (its address goes to the
	 * helper), where the verifier cannot track it as a loop counter */
	int inserted = insert(map, 0) + insert(map, 1) + insert(map, 2) + insert(map, 3);
	__u32 k4 = 4, k2 = 2, k0 = 0;
	__u64 v = 444;
	long e2big = bpf_map_update_elem(map, &k4, &v, BPF_ANY);
	long replace = bpf_map_update_elem(map, &k2, &v, BPF_ANY);

	bpf_map_delete_elem(map, &k0);
	long reinsert = bpf_map_update_elem(map, &k4, &v, BPF_NOEXIST);
	return inserted * 1000 - (int)e2big * 10 + (replace == 0) * 2 + (reinsert == 0);
}

/* preallocated hash map */
SEC("tc") __retval(4073)
int hash_full(struct __sk_buff *skb)
{
	return fill_until_full(&h);
}

/* BPF_F_NO_PREALLOC: elements are allocated on update, same limits */
SEC("tc") __retval(4073)
int hash_full_no_prealloc(struct __sk_buff *skb)
{
	return fill_until_full(&h_noprealloc);
}

/* Per-CPU hash, same semantics */
SEC("tc") __retval(4073)
int hash_full_percpu(struct __sk_buff *skb)
{
	return fill_until_full(&h_percpu);
}

/* A value changed through the lookup pointer is what the next lookup sees:
 * 7 -> *p *= 6 -> 42; then BPF_ANY replaces it with 5: returns 42 * 10 + 5. */
SEC("tc") __retval(425)
int hash_lookup_modify(struct __sk_buff *skb)
{
	__u32 k = 11;
	__u64 v = 7, *p;

	bpf_map_update_elem(&h_noprealloc, &k, &v, BPF_NOEXIST);
	p = bpf_map_lookup_elem(&h_noprealloc, &k);
	if (!p)
		return -1;
	*p *= 6;
	p = bpf_map_lookup_elem(&h_noprealloc, &k);
	if (!p)
		return -2;
	__u64 seen = *p;
	v = 5;
	bpf_map_update_elem(&h_noprealloc, &k, &v, BPF_ANY);
	p = bpf_map_lookup_elem(&h_noprealloc, &k);
	if (!p)
		return -3;
	return (int)(seen * 10 + *p);
}

/* Per-CPU hash: the value a program sees is the current CPU's copy; the
 * same copy through bpf_map_lookup_percpu_elem(current cpu).
 * update(5, 9), *p += 1 -> 10; returns 10 * 10 + same. */
SEC("tc") __retval(101)
int hash_percpu_value(struct __sk_buff *skb)
{
	__u32 k = 5;
	__u64 v = 9, *p, *q;

	if (bpf_map_update_elem(&h_percpu, &k, &v, BPF_NOEXIST))
		return -1;
	p = bpf_map_lookup_elem(&h_percpu, &k);
	if (!p)
		return -2;
	*p += 1;
	q = bpf_map_lookup_percpu_elem(&h_percpu, &k, bpf_get_smp_processor_id());
	if (!q)
		return -3;
	return (int)(*p * 10 + (*q == *p));
}

/* Struct keys: two flows that differ only in dport are distinct keys.
 * flow A -> 1, flow B -> 2, A again with BPF_NOEXIST -> -EEXIST;
 * returns a * 100 + b * 10 + (-eexist == 17). */
SEC("tc") __retval(121)
int hash_struct_key(struct __sk_buff *skb)
{
	struct flow a = {.saddr = 0x0a000001, .daddr = 0x0a000002, .sport = 1000,
			 .dport = 53, .proto = 17};
	struct flow b = a;
	__u32 one = 1, two = 2, *pa, *pb;

	b.dport = 54;
	bpf_map_update_elem(&flows, &a, &one, BPF_NOEXIST);
	bpf_map_update_elem(&flows, &b, &two, BPF_NOEXIST);
	long e = bpf_map_update_elem(&flows, &a, &two, BPF_NOEXIST);
	pa = bpf_map_lookup_elem(&flows, &a);
	pb = bpf_map_lookup_elem(&flows, &b);
	if (!pa || !pb)
		return -1;
	return (int)(*pa * 100 + *pb * 10 + (e == -RINGB_EEXIST));
}
