/* SPDX-License-Identifier: MIT */
/* sock_ops programs on a host-given context (ringb run --ctx-in). The corpus
 * gives none: struct bpf_sock_ops all zero (op 0, not a full socket, so sk
 * is NULL) and the 64-byte test packet as the callback's skb (skb_data,
 * skb_data_end, skb_len 64). The kernel cannot test-run sock_ops: it loads
 * and verifies these, the values are worked out by hand. r0 must be 0 or 1
 * at exit, so each program answers whether its check holds. */
#include "ringb_test.h"

SEC("sockops") __retval(1)
int sock_ops_zero_ctx(struct bpf_sock_ops *ops)
{
	return ops->op == 0 && ops->is_fullsock == 0 && ops->skb_len == 64 && ops->family == 0;
}

/* not a full socket: no sk */
SEC("sockops") __retval(1)
int sock_ops_sk_null(struct bpf_sock_ops *ops)
{
	struct bpf_sock *sk = ops->sk;
	return sk == 0;
}

/* a full socket's sk can be read once checked */
SEC("sockops") __retval(1)
int sock_ops_sk_checked(struct bpf_sock_ops *ops)
{
	struct bpf_sock *sk = ops->sk;
	if (!sk) return 1;
	return sk->state == ops->state;
}

SEC("sockops") __retval(1)
int sock_ops_cb_flags_not_full(struct bpf_sock_ops *ops)
{
	return bpf_sock_ops_cb_flags_set(ops, ringb_opaque(BPF_SOCK_OPS_STATE_CB_FLAG)) == -22;
}

/* reply and sk_txhash are the writable fields */
SEC("sockops") __retval(1)
int sock_ops_reply(struct bpf_sock_ops *ops)
{
	ops->reply = ringb_opaque(7);
	ops->sk_txhash = 3;
	return ops->reply == 7;
}

/* the callback's packet: byte 14 is the IPv4 header's first */
SEC("sockops") __retval(1)
int sock_ops_packet(struct bpf_sock_ops *ops)
{
	__u8 *data = ops->skb_data, *end = ops->skb_data_end;
	if (data + 15 > end) return 0;
	return data[14] == 0x45 && end - data == ops->skb_len;
}

/* skb_tcp_flags may be read narrow; the u64 counters whole */
SEC("sockops") __retval(1)
int sock_ops_narrow_flags(struct bpf_sock_ops *ops)
{
	__u8 f = *(volatile __u8 *)&ops->skb_tcp_flags;
	return f == 0 && ops->bytes_received == 0 && *(volatile __u64 *)((char *)ops + 216) == 0; /* skb_hwtstamp */
}

/* ringb's sockets have no options: -EOPNOTSUPP, getsockopt's buffer zeroed */
SEC("sockops") __retval(1)
int sock_ops_sockopt(struct bpf_sock_ops *ops)
{
	int v = 5;
	if (bpf_setsockopt(ops, 1, 2, &v, sizeof(v)) != -95) return 0;
	if (bpf_getsockopt(ops, 1, 2, &v, sizeof(v)) != -95) return 0;
	return v == 0;
}
