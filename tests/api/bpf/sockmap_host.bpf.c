/* SPDX-License-Identifier: MIT */
/* Sockmaps the host fills (sockets_test.cc): a tc lookup that reads the
 * socket and releases it, sk_skb and sk_msg redirects to index 0 / key 7. */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} sock_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} sock_hash SEC(".maps");

/* index 0's socket: its local port and state (state << 16 | port), 0: none */
SEC("tc")
int sockmap_lookup(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct bpf_sock *sk = bpf_map_lookup_elem(&sock_map, &k);
	int r;

	if (!sk)
		return 0;
	r = sk->state << 16 | sk->src_port;
	bpf_sk_release(sk);
	return r;
}

/* moves index 0's socket to the sockhash's key 7: 0, or the errno */
SEC("tc")
int sockmap_move(struct __sk_buff *skb)
{
	__u32 k = 0, k7 = 7;
	struct bpf_sock *sk = bpf_map_lookup_elem(&sock_map, &k);
	long r;

	if (!sk)
		return -100;
	r = bpf_map_update_elem(&sock_hash, &k7, sk, BPF_NOEXIST);
	bpf_sk_release(sk);
	return r;
}

SEC("sk_skb/stream_verdict")
int sk_redirect(struct __sk_buff *skb)
{
	__u32 k7 = 7;

	return bpf_sk_redirect_map(skb, &sock_map, 0, BPF_F_INGRESS) << 1 | bpf_sk_redirect_hash(skb, &sock_hash, &k7, 0);
}

SEC("sk_msg")
int msg_redirect(struct sk_msg_md *msg)
{
	__u32 k7 = 7;

	return bpf_msg_redirect_map(msg, &sock_map, 0, 0) << 1 | bpf_msg_redirect_hash(msg, &sock_hash, &k7, 0);
}
