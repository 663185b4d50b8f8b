/* maps_layout: several map definitions in .maps, with the prog array that
 * has `.values` in the middle, and several variables in each data section.
 *
 * clang-19 may describe .maps and the data sections in BTF with size 0 and
 * every variable at offset 0; the loader must place each definition where
 * its ELF symbol says (libbpf's btf_fixup_datasec), or a `.values`
 * relocation lands on the wrong map, and a program reads the wrong map. Each
 * program below reads one map or variable and returns what only that one
 * holds. */
#include "ringb_test.h"

int layout_target_a(struct __sk_buff *skb);
int layout_target_b(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} first_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u32);
} second_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int (void *));
} third_jmp SEC(".maps") = {
	.values = {
		[1] = (void *)&layout_target_a,
		[3] = (void *)&layout_target_b,
	},
};

/* clang puts initialised definitions first: this second prog array with
 * `.values` is the one that is not at offset 0. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int (void *));
} sixth_jmp SEC(".maps") = {
	.values = {
		[0] = (void *)&layout_target_b,
	},
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 7);
	__type(key, __u32);
	__type(value, __u64);
} fourth_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 5);
	__type(value, __u32);
} fifth_queue SEC(".maps");

__u32 data_a = 11;
__u64 data_b = 22;
__u32 data_c = 33;
__u32 bss_a;
__u64 bss_b;
const volatile __u32 ro_a = 44;
const volatile __u64 ro_b = 55;

SEC("tc") __retval(1001)
int layout_target_a(struct __sk_buff *skb)
{
	return 1001;
}

SEC("tc") __retval(1003)
int layout_target_b(struct __sk_buff *skb)
{
	return 1003;
}

/* Slot 1 holds layout_target_a. */
SEC("tc") __retval(1001)
int layout_tail_slot1(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &third_jmp, ringb_opaque(1));
	return 1;
}

/* Slot 3 holds layout_target_b. */
SEC("tc") __retval(1003)
int layout_tail_slot3(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &third_jmp, ringb_opaque(3));
	return 3;
}

/* The other prog array: its slot 0 holds layout_target_b. */
SEC("tc") __retval(1003)
int layout_other_table(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &sixth_jmp, ringb_opaque(0));
	return 4;
}

/* Slot 0 is empty: falls through. */
SEC("tc") __retval(2)
int layout_tail_slot0_empty(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &third_jmp, ringb_opaque(0));
	return 2;
}

/* Index 3 is inside second_array (3 entries) only as its last slot, and
 * fourth_array (7 entries) takes index 6: each lookup finds its own map. */
SEC("tc") __retval(6)
int layout_array_bounds(struct __sk_buff *skb)
{
	__u32 k2 = ringb_opaque(3), k4 = ringb_opaque(6), k2last = ringb_opaque(2);
	int r = 0;

	if (!bpf_map_lookup_elem(&second_array, &k2))
		r |= 1;  /* past second_array's 3 entries */
	if (bpf_map_lookup_elem(&fourth_array, &k4))
		r |= 2;
	if (bpf_map_lookup_elem(&second_array, &k2last))
		r |= 4;
	return r ^ 1;  /* 1 | 2 | 4, without the 1: 6 */
}

/* The hash map is the first definition, the queue the last. */
SEC("tc") __retval(77)
int layout_hash_and_queue(struct __sk_buff *skb)
{
	__u32 key = 5, v = 70, out = 0;
	__u64 hv = 7;
	__u64 *got;

	if (bpf_map_update_elem(&first_hash, &key, &hv, BPF_ANY))
		return -1;
	got = bpf_map_lookup_elem(&first_hash, &key);
	if (!got)
		return -2;
	if (bpf_map_push_elem(&fifth_queue, &v, 0))
		return -3;
	if (bpf_map_pop_elem(&fifth_queue, &out))
		return -4;
	return out + *got;
}

/* Each variable at its own offset: 11 + 22 + 33 + 0 + 0 + 44 + 55. */
SEC("tc") __retval(165)
int layout_globals(struct __sk_buff *skb)
{
	return data_a + data_b + data_c + bss_a + bss_b + ro_a + ro_b;
}
