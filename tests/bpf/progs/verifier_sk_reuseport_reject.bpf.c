/* SPDX-License-Identifier: MIT */
/* Misuse of sk_reuseport programs, REUSEPORT_SOCKARRAY and
 * bpf_sk_select_reuseport, refused with the kernel's messages. */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} reuse_socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} plain_array SEC(".maps");

SEC("sk_reuseport") __failure __msg("invalid bpf_context access off=32 size=4")
int reuseport_write_hash(struct sk_reuseport_md *ctx)
{
	ctx->hash = ringb_opaque(1);
	return SK_PASS;
}

SEC("sk_reuseport") __failure __msg("invalid bpf_context access off=20 size=1")
int reuseport_eth_protocol_byte(struct sk_reuseport_md *ctx)
{
	return *(volatile __u8 *)&ctx->eth_protocol == 8;
}

SEC("sk_reuseport") __failure __msg("invalid bpf_context access off=32 size=2")
int reuseport_hash_narrow(struct sk_reuseport_md *ctx)
{
	return *(volatile __u16 *)&ctx->hash == 8;
}

SEC("sk_reuseport") __failure __msg("invalid bpf_context access off=40 size=4")
int reuseport_sk_narrow(struct sk_reuseport_md *ctx)
{
	return *(volatile __u32 *)((void *)ctx + 40) == 8;
}

SEC("sk_reuseport") __failure __msg("cannot pass map_type 20 into func bpf_map_lookup_elem#1")
int reuseport_array_lookup(struct sk_reuseport_md *ctx)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&reuse_socks, &key) ? SK_PASS : SK_DROP;
}

SEC("sk_reuseport") __failure __msg("cannot pass map_type 2 into func bpf_sk_select_reuseport#82")
int reuseport_select_plain_array(struct sk_reuseport_md *ctx)
{
	__u32 key = 0;

	return bpf_sk_select_reuseport(ctx, &plain_array, &key, 0) ? SK_DROP : SK_PASS;
}

SEC("tc") __failure __msg("program of this type cannot use helper bpf_sk_select_reuseport#82")
int select_reuseport_from_tc(struct __sk_buff *skb)
{
	__u32 key = 0;

	return bpf_sk_select_reuseport((void *)skb, &reuse_socks, &key, 0) ? 0 : 1;
}

SEC("sk_reuseport") __failure __msg("cannot write into packet")
int reuseport_packet_write(struct sk_reuseport_md *ctx)
{
	__u8 *data = ctx->data, *end = ctx->data_end;

	if (data + 1 > end)
		return SK_DROP;
	data[0] = 1;
	return SK_PASS;
}
