/* maps_in_maps: BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS,
 * filled statically (libbpf's `.values = { [i] = &map }`, which clang emits
 * as relocations in .rel.maps against the inner maps).
 *
 * A lookup in an outer map returns the inner map itself (or NULL), which the
 * program then passes to the map helpers like any map. Every inner map must
 * match the outer map's template (`__array(values, struct inner_def)`):
 * type, key and value size, flags; a plain array also max_entries, unless
 * the template has BPF_F_INNER_MAP. Programs may only look outer maps up
 * (updates are the host's: verifier_reject.bpf.c).
 *
 * Inner maps are defined before the outer maps that name them: libbpf fills
 * an outer map's slots as soon as it has created it. An inner map whose
 * definition is not the template's own type needs a (void *) cast in
 * `.values`. The values are plain data (no special fields). */
#include "ringb_test.h"

/* A point: a value without special fields. */
struct point {
	__u64 x;
	__u32 y;
	__u16 z;
	char tag[6];
};

struct inner_array_def {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

/* Two arrays of the template's shape. */
struct inner_array_def inner_arr_a SEC(".maps");
struct inner_array_def inner_arr_b SEC(".maps");

/* A hash whose size differs from its template's: only a plain array's
 * max_entries must match. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct point);
} inner_hash_a SEC(".maps");

/* Arrays of BPF_F_INNER_MAP maps may hold arrays of any size. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} inner_small SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} inner_big SEC(".maps");

/* Slots 0 and 3 hold maps; 1 and 2 are empty. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_array_def);
} outer_arr SEC(".maps") = {
	.values = {
		[0] = &inner_arr_a,
		[3] = &inner_arr_b,
	},
};

/* The template defined inline (anonymous), as libbpf allows. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__uint(max_entries, 8);
		__type(key, __u32);
		__type(value, struct point);
	});
} outer_of_hashes SEC(".maps") = {
	.values = {
		[0] = (void *)&inner_hash_a,
	},
};

/* A hash of maps: the slot is the key (7), which may lie past max_entries. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_array_def);
} outer_hash SEC(".maps") = {
	.values = {
		[7] = &inner_arr_b,
	},
};

/* The template has max_entries 1; it only fixes the inner maps' type. */
struct inner_sized_def {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner_sized_def);
} outer_sized SEC(".maps") = {
	.values = {
		[0] = (void *)&inner_small,
		[1] = (void *)&inner_big,
	},
};

/* Slot 0's array: element 2 gets 40 by its pointer and element 3 gets 2 by
 * bpf_map_update_elem on the inner map; 40 + 2 = 42. */
SEC("tc") __retval(42)
int array_in_array(struct __sk_buff *skb)
{
	__u32 slot = ringb_opaque(0), two = 2, three = 3;
	__u64 v2 = 2;
	void *inner = bpf_map_lookup_elem(&outer_arr, &slot);
	if (!inner)
		return 1;
	__u64 *p = bpf_map_lookup_elem(inner, &two);
	if (!p)
		return 2;
	*p += 40;
	if (bpf_map_update_elem(inner, &three, &v2, BPF_ANY))
		return 3;
	__u64 *q = bpf_map_lookup_elem(inner, &three);
	if (!q)
		return 4;
	return *p + *q;
}

/* Slots 0 and 3 are different maps: 5 written into slot 0's element 1 is
 * not in slot 3's, which still reads 0; the map in slot 0 is inner_arr_a
 * itself, so looking that up directly sees the 5. 10 + 0 + 5 = 15. */
SEC("tc") __retval(15)
int slots_hold_distinct_maps(struct __sk_buff *skb)
{
	__u32 s0 = ringb_opaque(0), s3 = ringb_opaque(3), one = 1;
	void *a = bpf_map_lookup_elem(&outer_arr, &s0);
	void *b = bpf_map_lookup_elem(&outer_arr, &s3);
	if (!a || !b)
		return 1;
	__u64 *pa = bpf_map_lookup_elem(a, &one);
	__u64 *pb = bpf_map_lookup_elem(b, &one);
	__u64 *direct = bpf_map_lookup_elem(&inner_arr_a, &one);
	if (!pa || !pb || !direct)
		return 2;
	*pa = 5;
	return 10 + *pb + *direct;
}

/* Slot 1 is empty and slot 4 is past max_entries: both NULL. 7. */
SEC("tc") __retval(7)
int empty_slot_is_null(struct __sk_buff *skb)
{
	__u32 empty = ringb_opaque(1), past = ringb_opaque(4);
	if (bpf_map_lookup_elem(&outer_arr, &empty))
		return 1;
	if (bpf_map_lookup_elem(&outer_arr, &past))
		return 2;
	return 7;
}

/* The inner array keeps its own bounds: key 4 of a 4-element array is NULL,
 * key 3 is not. 3. */
SEC("tc") __retval(3)
int inner_index_past_end(struct __sk_buff *skb)
{
	__u32 slot = ringb_opaque(0), four = ringb_opaque(4), three = ringb_opaque(3);
	void *inner = bpf_map_lookup_elem(&outer_arr, &slot);
	if (!inner)
		return 1;
	if (bpf_map_lookup_elem(inner, &four))
		return 2;
	return bpf_map_lookup_elem(inner, &three) ? 3 : 4;
}

/* An inner hash of struct values: insert {x 3, y 4, z 5, "pt"} at key 9
 * (BPF_NOEXIST), a second BPF_NOEXIST is -EEXIST (+100); read it back
 * (x * 10 + y + z = 39); after a delete key 9 is gone (+1000). 1139. */
SEC("syscall") __retval(1139)
int hash_in_array(void *ctx)
{
	__u32 slot = ringb_opaque(0), key = ringb_opaque(9);
	struct point pt = { .x = 3, .y = 4, .z = 5, .tag = "pt" };
	void *inner = bpf_map_lookup_elem(&outer_of_hashes, &slot);
	if (!inner)
		return 1;
	if (bpf_map_update_elem(inner, &key, &pt, BPF_NOEXIST))
		return 2;
	int ret = 0;
	if (bpf_map_update_elem(inner, &key, &pt, BPF_NOEXIST) == -RINGB_EEXIST)
		ret += 100;
	struct point *got = bpf_map_lookup_elem(inner, &key);
	if (!got || got->tag[0] != 'p' || got->tag[1] != 't')
		return 3;
	ret += got->x * 10 + got->y + got->z;
	if (bpf_map_delete_elem(inner, &key))
		return 4;
	if (!bpf_map_lookup_elem(inner, &key))
		ret += 1000;
	return ret;
}

/* A hash of maps: key 7 holds inner_arr_b; 11 stored through it reads back
 * through the map itself. Key 8 is missing (+20). 31. */
SEC("syscall") __retval(31)
int hash_of_maps_lookup(void *ctx)
{
	__u32 key = ringb_opaque(7), missing = ringb_opaque(8), zero = 0;
	__u64 eleven = 11;
	void *inner = bpf_map_lookup_elem(&outer_hash, &key);
	if (!inner)
		return 1;
	if (bpf_map_update_elem(inner, &zero, &eleven, BPF_ANY))
		return 2;
	__u64 *v = bpf_map_lookup_elem(&inner_arr_b, &zero);
	if (!v)
		return 3;
	int ret = *v;
	if (!bpf_map_lookup_elem(&outer_hash, &missing))
		ret += 20;
	return ret;
}

/* BPF_F_INNER_MAP: slot 0 holds a 2-element array, slot 1 a 16-element one,
 * each with its own bounds. big[10] exists (+1) and gets 6 (+6 * 8);
 * small[10] does not (+2); small[1] does (+4). 55. */
SEC("tc") __retval(55)
int inner_map_flag_sizes(struct __sk_buff *skb)
{
	__u32 s0 = ringb_opaque(0), s1 = ringb_opaque(1), ten = ringb_opaque(10), one = ringb_opaque(1);
	void *small = bpf_map_lookup_elem(&outer_sized, &s0);
	void *big = bpf_map_lookup_elem(&outer_sized, &s1);
	if (!small || !big)
		return 100;
	int ret = 0;
	__u32 *b10 = bpf_map_lookup_elem(big, &ten);
	if (b10) {
		ret += 1;
		*b10 = 6;
		ret += *b10 * 8;
	}
	if (!bpf_map_lookup_elem(small, &ten))
		ret += 2;
	if (bpf_map_lookup_elem(small, &one))
		ret += 4;
	return ret;
}
