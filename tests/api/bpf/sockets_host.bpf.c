/* SPDX-License-Identifier: MIT */
/* Socket lookups of the packet's own 4-tuple, for sockets_test.cc, whose
 * host registers the sockets. The packet: Ethernet, IPv4 (protocol at 23,
 * addresses at 26), then the ports at 34: exactly a bpf_sock_tuple.ipv4. */
#include "ringb_test.h"

static __always_inline int packet_tuple(struct __sk_buff *skb, struct bpf_sock_tuple *t, __u8 *proto)
{
	if (bpf_skb_load_bytes(skb, 23, proto, 1))
		return -1;
	return bpf_skb_load_bytes(skb, 26, &t->ipv4, sizeof(t->ipv4));
}

/* the full socket's local port and state (state << 16 | port), 0: none */
SEC("tc") __retval(0)
int lookup_packet(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;
	__u8 proto = 0;
	int r;

	if (packet_tuple(skb, &t, &proto))
		return -1;
	if (proto == 6)
		sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	else
		sk = bpf_sk_lookup_udp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	r = sk->state << 16 | sk->src_port;
	bpf_sk_release(sk);
	return r;
}

/* skc_lookup_tcp also finds time-wait sockets, which are not full sockets:
 * bit 0 found, bit 1 a full socket, bit 2 a TCP socket (snd_cwnd 10),
 * bit 3 a listener */
SEC("tc") __retval(0)
int skc_lookup_packet(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk, *full, *l;
	struct bpf_tcp_sock *tp;
	__u8 proto = 0;
	int r = 1;

	if (packet_tuple(skb, &t, &proto))
		return -1;
	sk = bpf_skc_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	full = bpf_sk_fullsock(sk);
	if (full)
		r |= 2;
	tp = bpf_tcp_sock(sk);
	if (tp && tp->snd_cwnd == 10)
		r |= 4;
	l = bpf_get_listener_sock(sk);
	if (l)
		r |= 8;
	bpf_sk_release(sk);
	return r;
}
