/* SPDX-License-Identifier: MIT */
/* The redirect maps in the verifier, in the kernel's words: which helper
 * takes which map (check_map_func_compatibility), devmap values are
 * read-only to programs (BPF_F_RDONLY_PROG, added at creation), an xskmap
 * lookup is a struct bpf_xdp_sock, and bpf_redirect_map is XDP's. */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} dev_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} dev_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpu_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xsk_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} array SEC(".maps");

/* devmaps are BPF_F_RDONLY_PROG: record_func_map refuses before the map/func check */
SEC("xdp") __failure __msg("write into map forbidden")
int devmap_update(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct bpf_devmap_val v = { .ifindex = 1 };

	return bpf_map_update_elem(&dev_map, &k, &v, 0);
}

SEC("xdp") __failure __msg("write into map forbidden")
int devmap_hash_delete(struct xdp_md *ctx)
{
	__u32 k = 0;

	return bpf_map_delete_elem(&dev_hash, &k);
}

SEC("xdp") __failure __msg("cannot pass map_type 16 into func bpf_map_lookup_elem#1")
int cpumap_lookup(struct xdp_md *ctx)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&cpu_map, &k) ? XDP_PASS : XDP_DROP;
}

SEC("xdp") __failure __msg("cannot pass map_type 17 into func bpf_map_update_elem#2")
int xskmap_update(struct xdp_md *ctx)
{
	__u32 k = 0, fd = 3;

	return bpf_map_update_elem(&xsk_map, &k, &fd, 0);
}

SEC("xdp") __failure __msg("cannot pass map_type 2 into func bpf_redirect_map#51")
int redirect_map_array(struct xdp_md *ctx)
{
	return bpf_redirect_map(&array, 0, XDP_PASS);
}

SEC("xdp") __failure __msg("write into map forbidden, value_size=8 off=0 size=4")
int devmap_value_write(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct bpf_devmap_val *v = bpf_map_lookup_elem(&dev_map, &k);

	if (!v)
		return XDP_PASS;
	v->ifindex = 1;
	return XDP_PASS;
}

SEC("xdp") __failure __msg("R0 invalid mem access '{{(map_value|xdp_sock)}}_or_null'")
int xsk_no_null_check(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct bpf_xdp_sock *xs = bpf_map_lookup_elem(&xsk_map, &k);

	return xs->queue_id;
}

SEC("xdp") __failure __msg("R1 invalid xdp_sock access off=4 size=4")
int xsk_past_queue_id(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u32 *xs = bpf_map_lookup_elem(&xsk_map, &k);

	if (!xs)
		return XDP_PASS;
	return xs[1];
}

SEC("xdp") __failure __msg("R0 cannot write into xdp_sock")
int xsk_write(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u32 *xs = bpf_map_lookup_elem(&xsk_map, &k);

	if (!xs)
		return XDP_PASS;
	*xs = 1;
	return XDP_PASS;
}

SEC("tc") __failure __msg("program of this type cannot use helper bpf_redirect_map#51")
int tc_redirect_map(struct __sk_buff *skb)
{
	return bpf_redirect_map(&dev_map, 0, 0);
}

SEC("cgroup_skb/ingress") __failure __msg("program of this type cannot use helper bpf_redirect#23")
int cgroup_skb_redirect(struct __sk_buff *skb)
{
	return bpf_redirect(1, 0) == 7;
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, __u32);
} rdonly_array SEC(".maps");

/* the same rule for any BPF_F_RDONLY_PROG map */
SEC("xdp") __failure __msg("write into map forbidden")
int rdonly_prog_update(struct xdp_md *ctx)
{
	__u32 k = 0, v = 1;

	return bpf_map_update_elem(&rdonly_array, &k, &v, 0);
}
