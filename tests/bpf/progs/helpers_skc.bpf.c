/* SPDX-License-Identifier: MIT */
/* bpf_skc_to_* casts on the test run's skb->sk (the kernel's and ringb's: a
 * socket of no protocol, TCP_CLOSE, the packet's family) and on a lookup's
 * reference: NULL where the socket is not of the kind, the cast's result
 * released in the lookup's place. */
#include "ringb_test.h"

SEC("tc") __retval(1)
int skc_ctx_sock_not_tcp(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return 2;
	return !bpf_skc_to_tcp_sock(sk) && !bpf_skc_to_tcp6_sock(sk) && !bpf_skc_to_udp6_sock(sk) &&
	       !bpf_skc_to_tcp_timewait_sock(sk) && !bpf_skc_to_tcp_request_sock(sk) && !bpf_skc_to_unix_sock(sk) &&
	       !bpf_skc_to_mptcp_sock(sk);
}

/* a lookup that finds nothing; had it found a socket, the cast stands for
 * its reference and is released in its place */
SEC("tc") __retval(0)
int skc_release_cast(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;
	struct tcp_sock *tp;

	t.ipv4.daddr = 0x0100007f;
	t.ipv4.dport = __builtin_bswap16(1);
	sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	tp = bpf_skc_to_tcp_sock(sk);
	if (!tp) {
		bpf_sk_release(sk);
		return 1;
	}
	bpf_sk_release((struct bpf_sock *)tp);
	return 2;
}
