/* SPDX-License-Identifier: MIT */
/* Sockmaps and sockhashes from programs: an empty map holds no socket, so
 * lookups find none and redirects drop; the program types the kernel cannot
 * test-run (sk_skb, sk_msg) are checked against hand-worked values. */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} sock_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} sock_hash SEC(".maps");

/* an empty sockmap: no socket; deleting an empty slot is -EINVAL, a
 * missing sockhash key -ENOENT, an index past the end -EINVAL */
SEC("tc") __retval(0x7)
int empty_maps(struct __sk_buff *skb)
{
	__u32 k = 0, far = 9;
	struct bpf_sock *sk = bpf_map_lookup_elem(&sock_map, &k);
	int r = 0;

	if (sk) {
		bpf_sk_release(sk);
		return -1;
	}
	sk = bpf_map_lookup_elem(&sock_hash, &k);
	if (sk) {
		bpf_sk_release(sk);
		return -2;
	}
	if (bpf_map_delete_elem(&sock_map, &k) == -22) r |= 1;
	if (bpf_map_delete_elem(&sock_hash, &k) == -2) r |= 2;
	if (bpf_map_delete_elem(&sock_map, &far) == -22) r |= 4;
	return r;
}

/* the redirects drop (SK_DROP, 0) without a socket at the key, and for
 * flags other than BPF_F_INGRESS */
SEC("sk_skb/stream_verdict") __retval(0)
int sk_skb_redirect_empty(struct __sk_buff *skb)
{
	__u32 k = 0;

	return bpf_sk_redirect_map(skb, &sock_map, 0, BPF_F_INGRESS) |
	       bpf_sk_redirect_hash(skb, &sock_hash, &k, 0) |
	       bpf_sk_redirect_map(skb, &sock_map, 0, 2);
}

SEC("sk_msg") __retval(0)
int sk_msg_redirect_empty(struct sk_msg_md *msg)
{
	__u32 k = 0;

	return bpf_msg_redirect_map(msg, &sock_map, 1, 0) | bpf_msg_redirect_hash(msg, &sock_hash, &k, BPF_F_INGRESS);
}
