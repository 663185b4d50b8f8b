/* SPDX-License-Identifier: MIT */
/* sk_lookup programs (struct bpf_sk_lookup). The kernel test-runs them on a
 * context from ctx_in and no data: the corpus drivers give
 * corpus_sk_lookup_ctx() (ringb/test_ctx.h), an IPv4 TCP lookup from
 * 10.0.0.1:40000 to 10.0.0.2:8080, and the kernel returns what the program
 * does (SK_PASS 1, SK_DROP 0). Misuse: verifier_sk_lookup_reject.bpf.c. */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} lookup_socks SEC(".maps");

SEC("sk_lookup") __retval(1)
int sk_lookup_fields(struct bpf_sk_lookup *ctx)
{
	return ctx->family == 2 && ctx->protocol == 6 && ctx->local_port == 8080 &&
	       ctx->remote_port == __builtin_bswap16(40000) && ctx->remote_ip4 == 0x0100000a &&
	       ctx->local_ip4 == 0x0200000a && ctx->ingress_ifindex == 0 && ctx->remote_ip6[0] == 0;
}

/* narrow loads: a byte of local_ip4, half of local_port, the __be16 port
 * and the padding after it */
SEC("sk_lookup") __retval(1)
int sk_lookup_narrow(struct bpf_sk_lookup *ctx)
{
	__u8 b = *(volatile __u8 *)((void *)ctx + 43);
	__u16 port = *(volatile __u16 *)((void *)ctx + 60);
	__u16 rport = *(volatile __u16 *)((void *)ctx + 36);
	__u16 pad = *(volatile __u16 *)((void *)ctx + 38);
	__u8 fam = *(volatile __u8 *)((void *)ctx + 8);
	return b == 2 && port == 8080 && rport == __builtin_bswap16(40000) && pad == 0 && fam == 2;
}

/* nothing is selected before the program runs */
SEC("sk_lookup") __retval(1)
int sk_lookup_sk_null(struct bpf_sk_lookup *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	return sk == 0;
}

SEC("sk_lookup") __retval(0)
int sk_lookup_drop(struct bpf_sk_lookup *ctx)
{
	return SK_DROP;
}

/* assigning NULL clears the selection: 0, and sk stays NULL */
SEC("sk_lookup") __retval(1)
int sk_lookup_assign_null(struct bpf_sk_lookup *ctx)
{
	long err = bpf_sk_assign(ctx, 0, 0);
	return err == 0 && ctx->sk == 0;
}

/* flags other than BPF_SK_LOOKUP_F_REPLACE | F_NO_REUSEPORT: -EINVAL */
SEC("sk_lookup") __retval(1)
int sk_lookup_assign_bad_flags(struct bpf_sk_lookup *ctx)
{
	return bpf_sk_assign(ctx, 0, ringb_opaque(4)) == -RINGB_EINVAL;
}

SEC("sk_lookup") __retval(1)
int sk_lookup_assign_known_flags(struct bpf_sk_lookup *ctx)
{
	return bpf_sk_assign(ctx, 0, BPF_SK_LOOKUP_F_REPLACE | BPF_SK_LOOKUP_F_NO_REUSEPORT) == 0;
}

/* a sockmap's socket: an empty map has none, so the lookup drops */
SEC("sk_lookup") __retval(0)
int sk_lookup_from_sockmap(struct bpf_sk_lookup *ctx)
{
	__u32 key = 0;
	struct bpf_sock *sk = bpf_map_lookup_elem(&lookup_socks, &key);
	long err;

	if (!sk)
		return SK_DROP;
	err = bpf_sk_assign(ctx, sk, 0);
	bpf_sk_release(sk);
	return err ? SK_DROP : SK_PASS;
}

/* sk_lookup may update and delete sockmap entries (may_update_sockmap) */
SEC("sk_lookup") __retval(1)
int sk_lookup_sockmap_update(struct bpf_sk_lookup *ctx)
{
	__u32 key = 1;
	struct bpf_sock *sk = ctx->sk;

	if (sk)
		bpf_map_update_elem(&lookup_socks, &key, sk, BPF_ANY);
	bpf_map_delete_elem(&lookup_socks, &key);
	return SK_PASS;
}

/* an _OR_NULL argument: the context's socket goes in unchecked (NULL here,
 * and F_REPLACE makes a selection no error) */
SEC("sk_lookup") __retval(1)
int sk_lookup_assign_ctx_sk(struct bpf_sk_lookup *ctx)
{
	return bpf_sk_assign(ctx, ctx->sk, BPF_SK_LOOKUP_F_REPLACE) == 0;
}
