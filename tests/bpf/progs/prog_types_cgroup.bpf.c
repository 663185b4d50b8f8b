/* SPDX-License-Identifier: MIT */
/* cgroup socket programs: sock_addr (bind, connect, sendmsg, recvmsg,
 * getsockname/getpeername), sock (create, post_bind) and sysctl. The kernel
 * has no test run for them: tests/kernel loads and verifies each, and the
 * values are ringb's, worked out by hand on its test-run context: a zeroed
 * struct (ctx_in gives another), whose sock_addr ctx->sk is a closed socket
 * of the context's family, type and protocol. */
#include "ringb_test.h"
#include <bpf/bpf_endian.h>

/* connect4 may rewrite the destination: the writes read back */
SEC("cgroup/connect4") __retval(1)
int connect4_rewrite(struct bpf_sock_addr *ctx)
{
	ctx->user_ip4 = bpf_htonl(0x7f000001);
	ctx->user_port = bpf_htons(8080);
	return ctx->user_ip4 == bpf_htonl(0x7f000001) && ctx->user_port == bpf_htons(8080);
}

/* bind may return 0..3 (bit 1: skip the port capability check) */
SEC("cgroup/bind4") __retval(3)
int bind4_range(struct bpf_sock_addr *ctx)
{
	return ctx->user_family == 0 ? 3 : 1;
}

/* IPv6 addresses take 8-byte writes; narrow reads of them too */
SEC("cgroup/sendmsg6") __retval(1)
int sendmsg6_src(struct bpf_sock_addr *ctx)
{
	__u64 *src = (__u64 *)&ctx->msg_src_ip6[1]; /* offset 48: 8-aligned */
	__u8 b;

	*src = 0x1111111111111111ull;
	b = *(volatile __u8 *)&ctx->msg_src_ip6[2];
	return b == 0x11;
}

SEC("cgroup/sendmsg4") __retval(1)
int sendmsg4_src(struct bpf_sock_addr *ctx)
{
	ctx->msg_src_ip4 = bpf_htonl(0x0a000001);
	return 1;
}

/* recvmsg, getsockname and getpeername must return 1 */
SEC("cgroup/recvmsg4") __retval(1)
int recvmsg4_port(struct bpf_sock_addr *ctx)
{
	ctx->user_port = bpf_htons(53);
	return 1;
}

SEC("cgroup/getsockname6") __retval(1)
int getsockname6_addr(struct bpf_sock_addr *ctx)
{
	ctx->user_ip6[3] = bpf_htonl(1);
	return 1;
}

SEC("cgroup/getpeername4") __retval(1)
int getpeername4_read(struct bpf_sock_addr *ctx)
{
	return ctx->type == 0 ? 1 : 1;
}

/* ctx->sk is a socket (never NULL): a closed one, of the context's family */
SEC("cgroup/connect6") __retval(1)
int connect6_sk(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;

	return sk->family == ctx->family && sk->state == BPF_TCP_CLOSE;
}

/* the one network namespace's cookie */
SEC("cgroup/connect4") __retval(1)
int connect4_netns(struct bpf_sock_addr *ctx)
{
	return bpf_get_netns_cookie(ctx) != 0;
}

/* cgroup/sock at creation may set mark and priority */
SEC("cgroup/sock") __retval(1)
int sock_create_mark(struct bpf_sock *sk)
{
	sk->mark = 7;
	sk->priority = 2;
	return sk->mark == 7 && sk->family == 0;
}

/* post_bind4 reads the bound address and port */
SEC("cgroup/post_bind4") __retval(1)
int post_bind4_port(struct bpf_sock *sk)
{
	return sk->src_port == 0 && sk->src_ip4 == 0;
}

/* sysctl: write is read-only, file_pos writable */
SEC("cgroup/sysctl") __retval(1)
int sysctl_pos(struct bpf_sysctl *ctx)
{
	if (ctx->write)
		return 0;
	ctx->file_pos = 0;
	return 1;
}
