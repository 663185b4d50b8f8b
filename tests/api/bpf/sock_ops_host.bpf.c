/* SPDX-License-Identifier: MIT */
/* sock_ops programs for tests/api/sock_ops_test.cc: the answers go out
 * through the context's writable fields (reply, sk_txhash), since r0 must be
 * 0 or 1. */
#include "ringb_test.h"

/* reply = the flags cb_flags_set did not take << 16 | the flags it set;
 * sk_txhash = the socket's src_port << 16 | its dst_port (the __be16) */
SEC("sockops")
int ops_full(struct bpf_sock_ops *ops)
{
	long r = bpf_sock_ops_cb_flags_set(ops, ringb_opaque(0xff));
	struct bpf_sock *sk = ops->sk;
	if (!sk) return 0;
	ops->reply = r << 16 | ops->bpf_sock_ops_cb_flags;
	ops->sk_txhash = sk->src_port << 16 | (sk->dst_port & 0xffff);
	return sk->family == ops->family && sk->state == ops->state && sk->protocol == 6;
}

/* reply = snd_cwnd: 0 unless the context is a full socket */
SEC("sockops")
int ops_cwnd(struct bpf_sock_ops *ops)
{
	ops->reply = ops->snd_cwnd;
	return 1;
}
