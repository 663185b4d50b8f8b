/* SPDX-License-Identifier: MIT */
/* Misuse of sk_lookup programs (struct bpf_sk_lookup, bpf_sk_assign),
 * refused with the kernel's messages. */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} lookup_socks SEC(".maps");

SEC("sk_lookup") __failure __msg("invalid bpf_context access off=8 size=4")
int sk_lookup_write_family(struct bpf_sk_lookup *ctx)
{
	ctx->family = ringb_opaque(10);
	return SK_PASS;
}

SEC("sk_lookup") __failure __msg("invalid bpf_context access off=68 size=4")
int sk_lookup_tail_padding(struct bpf_sk_lookup *ctx)
{
	return *(volatile __u32 *)((void *)ctx + 68) == 0;
}

SEC("sk_lookup") __failure __msg("invalid bpf_context access off=0 size=4")
int sk_lookup_sk_narrow(struct bpf_sk_lookup *ctx)
{
	return *(volatile __u32 *)((void *)ctx) == 0;
}

SEC("sk_lookup") __failure __msg("invalid bpf_context access off=8 size=8")
int sk_lookup_wide_family(struct bpf_sk_lookup *ctx)
{
	return *(volatile __u64 *)((void *)ctx + 8) == 0;
}

SEC("sk_lookup") __failure __msg("should have been in [0, 1]")
int sk_lookup_return_two(struct bpf_sk_lookup *ctx)
{
	return 2;
}

/* the context's socket is not a reference the program holds */
SEC("sk_lookup") __failure __msg("must be referenced when passed to release function")
int sk_lookup_release_ctx_sk(struct bpf_sk_lookup *ctx)
{
	struct bpf_sock *sk = ctx->sk;

	if (sk)
		bpf_sk_release(sk);
	return SK_PASS;
}

SEC("sk_lookup") __failure __msg("program of this type cannot use helper bpf_get_socket_cookie#46")
int sk_lookup_socket_cookie(struct bpf_sk_lookup *ctx)
{
	return bpf_get_socket_cookie(ctx) == 0;
}

SEC("sk_lookup") __failure __msg("R2 type=ctx expected=sock")
int sk_lookup_assign_ctx(struct bpf_sk_lookup *ctx)
{
	return bpf_sk_assign(ctx, ctx, 0) == 0;
}

/* a lookup's reference must be released */
SEC("sk_lookup") __failure __msg("would lead to reference leak")
int sk_lookup_leak(struct bpf_sk_lookup *ctx)
{
	__u32 key = 0;
	struct bpf_sock *sk = bpf_map_lookup_elem(&lookup_socks, &key);

	if (!sk)
		return SK_DROP;
	bpf_sk_assign(ctx, sk, 0);
	return SK_PASS;
}
