/* SPDX-License-Identifier: MIT */
/* The XDP redirect maps (devmap, devmap_hash, cpumap, xskmap) and the
 * redirect helpers from programs, as Linux 6.18 runs them in
 * BPF_PROG_TEST_RUN: maps a program sees here are empty (programs cannot
 * fill them), so lookups find nothing and bpf_redirect_map answers with the
 * action in its flags' low bits, or XDP_REDIRECT for BPF_F_BROADCAST; a test
 * run reports the redirect's return value and sends nothing.
 * (enum xdp_action: ABORTED 0, DROP 1, PASS 2, TX 3, REDIRECT 4;
 * TC_ACT_SHOT 2, TC_ACT_REDIRECT 7.) */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} dev_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} dev_map_ifindex SEC(".maps");

/* a tc program's own: the first program to use a devmap fixes the type of
 * every other (bpf_check_tail_call), so tc and xdp cannot share one */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} tc_dev_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
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

/* bpf_redirect in xdp: XDP_REDIRECT for flags 0 */
SEC("xdp") __retval(4)
int xdp_redirect_ifindex(struct xdp_md *ctx)
{
	return bpf_redirect(1, 0);
}

/* any flag, BPF_F_INGRESS too, is XDP_ABORTED */
SEC("xdp") __retval(0)
int xdp_redirect_flags(struct xdp_md *ctx)
{
	return bpf_redirect(1, BPF_F_INGRESS) | bpf_redirect(1, 1ULL << 40);
}

/* an ifindex no device has is still a redirect (xdp_do_redirect fails later) */
SEC("xdp") __retval(4)
int xdp_redirect_no_device(struct xdp_md *ctx)
{
	return bpf_redirect(0xfffffff0, 0);
}

/* bpf_redirect in tc: TC_ACT_REDIRECT for flags 0 and BPF_F_INGRESS */
SEC("tc") __retval(0x77)
int tc_redirect(struct __sk_buff *skb)
{
	return bpf_redirect(1, 0) | bpf_redirect(1, BPF_F_INGRESS) << 4;
}

/* other flags are TC_ACT_SHOT */
SEC("tc") __retval(0x222)
int tc_redirect_bad_flags(struct __sk_buff *skb)
{
	return bpf_redirect(1, 2) | bpf_redirect(1, BPF_F_BROADCAST) << 4 | bpf_redirect(1, 1ULL << 63) << 8;
}

/* bpf_redirect_peer: flags 0 only */
SEC("tc") __retval(0x27)
int tc_redirect_peer(struct __sk_buff *skb)
{
	return bpf_redirect_peer(1, 0) | bpf_redirect_peer(1, BPF_F_INGRESS) << 4;
}

/* bpf_redirect_neigh: no parameters, or a whole struct bpf_redir_neigh (20
 * bytes; more is fine), and flags 0 */
SEC("tc") __retval(0x72277)
int tc_redirect_neigh(struct __sk_buff *skb)
{
	struct bpf_redir_neigh nh = { .nh_family = 2, .ipv4_nh = 0x0100007f };
	char big[24] = {};

	return bpf_redirect_neigh(1, 0, 0, 0) | bpf_redirect_neigh(1, &nh, sizeof(nh), 0) << 4 |
	       bpf_redirect_neigh(1, &nh, 12, 0) << 8 | bpf_redirect_neigh(1, (void *)big, sizeof(big), 1) << 12 |
	       bpf_redirect_neigh(1, (void *)big, sizeof(big), 0) << 16;
}

/* a miss returns the flags' action, each of ABORTED..TX */
SEC("xdp") __retval(0x3210)
int devmap_miss_actions(struct xdp_md *ctx)
{
	return bpf_redirect_map(&dev_map, 0, XDP_ABORTED) | bpf_redirect_map(&dev_map, 1, XDP_DROP) << 4 |
	       bpf_redirect_map(&dev_map, 2, XDP_PASS) << 8 | bpf_redirect_map(&dev_map, 3, XDP_TX) << 12;
}

/* a key past the end misses too; the key is the low 32 bits */
SEC("xdp") __retval(0x22)
int devmap_miss_past_end(struct xdp_md *ctx)
{
	return bpf_redirect_map(&dev_map, 4, XDP_PASS) | bpf_redirect_map(&dev_map_ifindex, (1ULL << 32) | 9, XDP_PASS) << 4;
}

/* flags beyond the action and the devmap flags: XDP_ABORTED */
SEC("xdp") __retval(0)
int devmap_bad_flags(struct xdp_md *ctx)
{
	return bpf_redirect_map(&dev_map, 0, XDP_PASS | 4) | bpf_redirect_map(&dev_hash, 0, XDP_PASS | (1 << 5)) |
	       bpf_redirect_map(&dev_map, 0, XDP_PASS | BPF_F_INGRESS << 2);
}

/* BPF_F_BROADCAST redirects without a key (to every entry: none here);
 * BPF_F_EXCLUDE_INGRESS alone is a plain lookup */
SEC("xdp") __retval(0x244)
int devmap_broadcast(struct xdp_md *ctx)
{
	return bpf_redirect_map(&dev_map, 0, BPF_F_BROADCAST) |
	       bpf_redirect_map(&dev_hash, 7, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS | XDP_DROP) << 4 |
	       bpf_redirect_map(&dev_map, 0, BPF_F_EXCLUDE_INGRESS | XDP_PASS) << 8;
}

/* devmap_hash misses */
SEC("xdp") __retval(0x31)
int devmap_hash_miss(struct xdp_md *ctx)
{
	return bpf_redirect_map(&dev_hash, 5, XDP_DROP) | bpf_redirect_map(&dev_hash, 0xffffffff, XDP_TX) << 4;
}

/* a cpumap takes no broadcast flags: XDP_ABORTED; misses give the action */
SEC("xdp") __retval(0x0302)
int cpumap_redirects(struct xdp_md *ctx)
{
	return bpf_redirect_map(&cpu_map, 0, XDP_PASS) | bpf_redirect_map(&cpu_map, 0, BPF_F_BROADCAST) << 4 |
	       bpf_redirect_map(&cpu_map, 1, XDP_TX) << 8 | bpf_redirect_map(&cpu_map, 0, BPF_F_EXCLUDE_INGRESS) << 12;
}

/* an xskmap: no socket, so a miss; no broadcast flags */
SEC("xdp") __retval(0x12)
int xskmap_redirects(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsk_map, 0, XDP_PASS) | bpf_redirect_map(&xsk_map, 3, XDP_DROP) << 4 |
	       bpf_redirect_map(&xsk_map, 0, BPF_F_BROADCAST) << 8;
}

/* lookups of an empty devmap, devmap_hash and xskmap find nothing */
SEC("xdp") __retval(7)
int lookups_miss(struct xdp_md *ctx)
{
	__u32 k = 0;
	int r = 0;

	if (!bpf_map_lookup_elem(&dev_map, &k))
		r |= 1;
	if (!bpf_map_lookup_elem(&dev_hash, &k))
		r |= 2;
	if (!bpf_map_lookup_elem(&xsk_map, &k))
		r |= 4;
	return r;
}

/* a devmap's value reads as struct bpf_devmap_val (4 or 8 bytes), from tc
 * too; a devmap_hash has no owner type, so xdp and tc share it */
SEC("tc") __success
int devmap_value_read(struct __sk_buff *skb)
{
	__u32 k = 1;
	struct bpf_devmap_val *v = bpf_map_lookup_elem(&tc_dev_map, &k);
	__u32 *ifindex = bpf_map_lookup_elem(&dev_hash, &k);

	if (!v || !ifindex)
		return 0;
	return v->ifindex + v->bpf_prog.id + *ifindex;
}

/* an xskmap lookup is a struct bpf_xdp_sock once not NULL: queue_id */
SEC("xdp") __success
int xsk_queue_id(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct bpf_xdp_sock *xs = bpf_map_lookup_elem(&xsk_map, &k);

	if (!xs)
		return XDP_PASS;
	return xs->queue_id == 0 ? XDP_DROP : XDP_PASS;
}
