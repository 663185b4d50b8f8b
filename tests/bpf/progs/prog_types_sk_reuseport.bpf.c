/* SPDX-License-Identifier: MIT */
/* sk_reuseport programs (struct sk_reuseport_md) and
 * bpf_sk_select_reuseport on a reuseport array, a sockmap and a sockhash.
 * The kernel has no test run for sk_reuseport (nor has ringb): these are
 * loaded and verified, by both. Misuse: verifier_sk_reuseport_reject.bpf.c. */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} reuse_socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} reuse_sockmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} reuse_sockhash SEC(".maps");

SEC("sk_reuseport") __success
int reuseport_fields(struct sk_reuseport_md *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	struct bpf_sock *migrating = ctx->migrating_sk;
	__u32 sum = ctx->len + ctx->eth_protocol + ctx->ip_protocol + ctx->bind_inany + ctx->hash;

	sum += *(volatile __u8 *)&ctx->ip_protocol + *(volatile __u16 *)&ctx->eth_protocol;
	sum += sk->family + sk->src_port;
	if (migrating)
		sum += migrating->family;
	return sum & 1 ? SK_PASS : SK_DROP;
}

/* the packet from the transport header: readable */
SEC("sk_reuseport") __success
int reuseport_packet(struct sk_reuseport_md *ctx)
{
	__u8 *data = ctx->data, *end = ctx->data_end;

	if (data + 4 > end)
		return SK_DROP;
	return data[2] == 0x1f ? SK_PASS : SK_DROP;
}

SEC("sk_reuseport") __success
int reuseport_select_array(struct sk_reuseport_md *ctx)
{
	__u32 key = ctx->hash & 3;

	return bpf_sk_select_reuseport(ctx, &reuse_socks, &key, 0) == 0 ? SK_PASS : SK_DROP;
}

SEC("sk_reuseport") __success
int reuseport_select_sockmap(struct sk_reuseport_md *ctx)
{
	__u32 key = 0;

	return bpf_sk_select_reuseport(ctx, &reuse_sockmap, &key, 0) == 0 ? SK_PASS : SK_DROP;
}

SEC("sk_reuseport") __success
int reuseport_select_sockhash(struct sk_reuseport_md *ctx)
{
	__u32 key = 0;

	return bpf_sk_select_reuseport(ctx, &reuse_sockhash, &key, 0) == 0 ? SK_PASS : SK_DROP;
}

/* sk_reuseport may update and delete sockmap entries (may_update_sockmap) */
SEC("sk_reuseport") __success
int reuseport_sockmap_update(struct sk_reuseport_md *ctx)
{
	__u32 key = 1;

	bpf_map_update_elem(&reuse_sockmap, &key, ctx->sk, BPF_ANY);
	bpf_map_delete_elem(&reuse_sockhash, &key);
	return SK_PASS;
}

SEC("sk_reuseport/migrate") __success
int reuseport_migrate(struct sk_reuseport_md *ctx)
{
	if (!ctx->migrating_sk)
		return SK_PASS;
	return SK_DROP;
}
