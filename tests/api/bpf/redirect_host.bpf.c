/* SPDX-License-Identifier: MIT */
/* bpf_redirect_map over maps the host fills (tests/api/redirect_test.cc):
 * a present key redirects (XDP_REDIRECT, 4), a missing one gives the flags'
 * action; a devmap lookup reads the host's ifindex and program id. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} dev_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} dev_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpu_map SEC(".maps");

/* (result for key 1) | (key 2) << 4 | (dev_hash key 7) << 8 | (cpu 0) << 12 */
SEC("xdp")
int redirects(struct xdp_md *ctx)
{
	return bpf_redirect_map(&dev_map, 1, XDP_PASS) | bpf_redirect_map(&dev_map, 2, XDP_PASS) << 4 |
	       bpf_redirect_map(&dev_hash, 7, XDP_DROP) << 8 | bpf_redirect_map(&cpu_map, 0, XDP_TX) << 12;
}

/* ifindex << 16 | prog id of dev_map[1] */
SEC("xdp")
int devmap_read(struct xdp_md *ctx)
{
	__u32 k = 1;
	struct bpf_devmap_val *v = bpf_map_lookup_elem(&dev_map, &k);

	if (!v)
		return -1;
	return v->ifindex << 16 | v->bpf_prog.id;
}

/* a tc program may not share an xdp program's devmap (loaded only when named) */
SEC("?tc")
int tc_uses_dev_map(struct __sk_buff *skb)
{
	__u32 k = 1;

	return bpf_map_lookup_elem(&dev_map, &k) ? 1 : 0;
}

/* a program for devmap entries (BPF_XDP_DEVMAP) */
SEC("xdp/devmap")
int on_entry(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
