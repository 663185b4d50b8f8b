/* SPDX-License-Identifier: MIT */
/* Tail calls and cgroup storage: a tail-called program runs with its
 * caller's storages, so a prog array takes only programs using the same
 * storage map of each type as its first program, or none
 * (bpf_prog_map_compatible's storage cookies). */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, __u64);
	__type(value, __u64);
} storage_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, __u64);
	__type(value, __u64);
} storage_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} jmp SEC(".maps");

/* counts 1, then the callee counts on in the same storage */
SEC("cgroup_skb/egress")
int caller(struct __sk_buff *skb)
{
	__u64 *v = bpf_get_local_storage(&storage_a, 0);

	*v += 1;
	bpf_tail_call(skb, &jmp, 0);
	return 0;
}

SEC("cgroup_skb/egress")
int callee_a(struct __sk_buff *skb)
{
	__u64 *v = bpf_get_local_storage(&storage_a, 0);

	*v += 1;
	return *v == 2 ? 3 : 1;
}

SEC("cgroup_skb/egress")
int callee_b(struct __sk_buff *skb)
{
	__u64 *v = bpf_get_local_storage(&storage_b, 0);

	return *v == 0;
}

SEC("cgroup_skb/egress")
int callee_none(struct __sk_buff *skb)
{
	return 2;
}
