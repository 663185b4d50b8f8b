/* SPDX-License-Identifier: MIT */
/* Misuse of the bpf_skc_to_* casts, refused with the kernel's messages. */
#include "ringb_test.h"

SEC("kprobe") __failure __msg("program of this type cannot use helper bpf_skc_to_tcp_sock#137")
int skc_from_kprobe(void *ctx)
{
	return bpf_skc_to_tcp_sock((void *)0) != 0;
}

/* the cast may be NULL: it must be checked before it is released */
SEC("tc") __failure __msg("expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_")
int skc_release_unchecked(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	struct tcp_sock *tp;

	if (!sk)
		return 0;
	tp = bpf_skc_to_tcp_sock(sk);
	bpf_sk_release((struct bpf_sock *)tp);
	return 1;
}

/* the cast is the lookup's reference: releasing both is releasing twice */
SEC("tc") __failure __msg("expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_")
int skc_release_twice(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	struct tcp_sock *tp;

	if (!sk)
		return 0;
	tp = bpf_skc_to_tcp_sock(sk);
	if (!tp) {
		bpf_sk_release(sk);
		return 0;
	}
	bpf_sk_release(sk);
	bpf_sk_release((struct bpf_sock *)tp);
	return 1;
}

SEC("tc") __failure __msg("R1 type=ctx expected=sock_common")
int skc_of_ctx(struct __sk_buff *skb)
{
	return bpf_skc_to_tcp_sock(skb) != 0;
}
