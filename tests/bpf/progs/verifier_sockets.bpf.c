/* SPDX-License-Identifier: MIT */
/* What the verifier refuses about sockets, in the kernel's words. */
#include "ringb_test.h"

/* a looked-up socket must be released before exit */
SEC("tc") __failure __msg("Unreleased reference")
int sock_leak(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (sk)
		return sk->family;
	return 0;
}

/* the lookup may fail: no field access before the NULL check */
SEC("tc") __failure __msg("invalid mem access 'sock_or_null'")
int sock_no_null_check(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;
	int family;

	sk = bpf_sk_lookup_udp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	family = sk->family;
	if (sk)
		bpf_sk_release(sk);
	return family;
}

/* sockets are read-only */
SEC("tc") __failure __msg("cannot write into sock")
int sock_write(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	sk->mark = 1;
	bpf_sk_release(sk);
	return 0;
}

/* skb->sk is not a reference the program holds */
SEC("tc") __failure __msg("must be referenced when passed to release function")
int release_skb_sk(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return 0;
	bpf_sk_release(sk);
	return 0;
}

/* sock_common has no type field */
SEC("tc") __failure __msg("invalid sock_common access off=8 size=4")
int sock_common_type(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return 0;
	return sk->type;
}

/* released once is released */
SEC("tc") __failure __msg("invalid mem access 'scalar'")
int use_after_release(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	bpf_sk_release(sk);
	return sk->family;
}


/* recvmsg must return 1 */
SEC("cgroup/recvmsg4") __failure __msg("should have been in [1, 1]")
int recvmsg_returns_0(struct bpf_sock_addr *ctx)
{
	return 0;
}

/* connect returns 0 or 1 */
SEC("cgroup/connect4") __failure __msg("At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]")
int connect_returns_2(struct bpf_sock_addr *ctx)
{
	return 2;
}

/* user_family is read-only */
SEC("cgroup/connect4") __failure __msg("invalid bpf_context access off=0 size=4")
int connect_writes_family(struct bpf_sock_addr *ctx)
{
	ctx->user_family = 10;
	return 1;
}

/* connect4 has no IPv6 address */
SEC("cgroup/connect4") __failure __msg("invalid bpf_context access off=8 size=4")
int connect4_reads_ip6(struct bpf_sock_addr *ctx)
{
	return ctx->user_ip6[0] ? 1 : 0;
}

/* only sendmsg has a source address */
SEC("cgroup/connect4") __failure __msg("invalid bpf_context access off=40 size=4")
int connect4_msg_src(struct bpf_sock_addr *ctx)
{
	ctx->msg_src_ip4 = 1;
	return 1;
}

/* post_bind may not set the mark */
SEC("cgroup/post_bind4") __failure __msg("invalid bpf_context access off=16 size=4")
int post_bind_mark(struct bpf_sock *sk)
{
	sk->mark = 1;
	return 1;
}

/* sysctl's write flag is read-only */
SEC("cgroup/sysctl") __failure __msg("invalid bpf_context access off=0 size=4")
int sysctl_write_flag(struct bpf_sysctl *ctx)
{
	ctx->write = 1;
	return 1;
}

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} sk_map SEC(".maps");

/* socket storage is reached through bpf_sk_storage_get only */
SEC("tc") __failure __msg("cannot pass map_type 24 into func bpf_map_lookup_elem#1")
int sk_storage_lookup(struct __sk_buff *skb)
{
	int key = 0;

	return bpf_map_lookup_elem(&sk_map, &key) != 0;
}
