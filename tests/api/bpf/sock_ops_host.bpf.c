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

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} ops_map SEC(".maps");

/* the canonical sockmap use: an established socket into the map; reply =
 * the update's result, sk_txhash = the socket's cookie's low half */
SEC("sockops")
int ops_add_to_map(struct bpf_sock_ops *ops)
{
	__u32 key = 2;
	ops->reply = bpf_sock_map_update(ops, &ops_map, &key, BPF_ANY);
	ops->sk_txhash = bpf_get_socket_cookie(ops);
	return 1;
}
