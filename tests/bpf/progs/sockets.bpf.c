/* SPDX-License-Identifier: MIT */
/* Socket helpers in tc test runs. The kernel's test run gives the skb a
 * dummy socket (skb->sk: the packet's family and addresses, no type or
 * protocol, TCP_CLOSE); lookups of a tuple nobody listens on find nothing.
 * ringb's host socket table starts empty, so the same holds there. */
#include "ringb_test.h"
#include <bpf/bpf_endian.h>

/* 192.0.2.1:4242 -> 192.0.2.2:4243 (TEST-NET-1: nobody listens there) */
static __always_inline void test_tuple(struct bpf_sock_tuple *t)
{
	__builtin_memset(t, 0, sizeof(*t));
	t->ipv4.saddr = bpf_htonl(0xc0000201);
	t->ipv4.daddr = bpf_htonl(0xc0000202);
	t->ipv4.sport = bpf_htons(4242);
	t->ipv4.dport = bpf_htons(4243);
}

/* no TCP socket: NULL, nothing to release */
SEC("tc") __retval(1)
int lookup_tcp_none(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t;
	struct bpf_sock *sk;

	test_tuple(&t);
	sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (sk) {
		bpf_sk_release(sk);
		return 2;
	}
	return 1;
}

SEC("tc") __retval(1)
int lookup_udp_none(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t;
	struct bpf_sock *sk;

	test_tuple(&t);
	sk = bpf_sk_lookup_udp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (sk) {
		bpf_sk_release(sk);
		return 2;
	}
	return 1;
}

SEC("tc") __retval(1)
int skc_lookup_tcp_none(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t;
	struct bpf_sock *sk;

	test_tuple(&t);
	sk = bpf_skc_lookup_tcp(skb, &t, sizeof(t.ipv6), BPF_F_CURRENT_NETNS, 0);
	if (sk) {
		bpf_sk_release(sk);
		return 2;
	}
	return 1;
}

/* a tuple size that is neither IPv4's nor IPv6's, and flags: NULL */
SEC("tc") __retval(3)
int lookup_bad_args(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t;
	struct bpf_sock *sk;
	int r = 0;

	test_tuple(&t);
	sk = bpf_sk_lookup_tcp(skb, &t, 5, BPF_F_CURRENT_NETNS, 0);
	if (sk)
		bpf_sk_release(sk);
	else
		r += 1;
	sk = bpf_sk_lookup_udp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 1);
	if (sk)
		bpf_sk_release(sk);
	else
		r += 2;
	return r;
}

/* the test run's socket: IPv4 (the corpus packet), closed, a full socket */
SEC("tc") __retval(0x207)
int skb_sk_fields(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return -1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return -2;
	return sk->family << 8 | sk->state;
}

/* its addresses are the packet's: 10.0.0.1 -> 10.0.0.2 */
SEC("tc") __retval(1)
int skb_sk_addrs(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return -1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return -2;
	return sk->src_ip4 == bpf_htonl(0x0a000001) && sk->dst_ip4 == bpf_htonl(0x0a000002) &&
	       sk->protocol == 0 && sk->type == 0 && sk->src_port == 0 && sk->dst_port == 0;
}

/* no TCP socket behind it, and it does not listen */
SEC("tc") __retval(3)
int skb_sk_not_tcp(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	int r = 0;

	if (!sk)
		return -1;
	if (!bpf_tcp_sock(sk))
		r |= 1;
	if (!bpf_get_listener_sock(sk))
		r |= 2;
	return r;
}

/* sock_common gives family, but not type..priority: only through fullsock */
SEC("tc") __retval(2)
int skb_sk_common_family(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return -1;
	return sk->family;
}

