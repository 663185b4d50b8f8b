/* SPDX-License-Identifier: MIT */
/* Misuse of sock_ops contexts and of the packet-moving helpers
 * (skb_adjust_room, skb_change_proto, msg_pull/push/pop_data), refused with
 * the kernel's messages. Packet pointers taken before such a call are no
 * longer packet pointers after it. */
#include "ringb_test.h"

SEC("sockops") __failure __msg("invalid bpf_context access off=0 size=4")
int sock_ops_write_op(struct bpf_sock_ops *ops)
{
	ops->op = ringb_opaque(1);
	return 1;
}

SEC("sockops") __failure __msg("invalid bpf_context access off=20 size=4")
int sock_ops_write_family(struct bpf_sock_ops *ops)
{
	ops->family = ringb_opaque(2);
	return 1;
}

SEC("sockops") __failure __msg("invalid bpf_context access off=8 size=4")
int sock_ops_write_replylong(struct bpf_sock_ops *ops)
{
	ops->replylong[1] = ringb_opaque(2);
	return 1;
}

SEC("sockops") __failure __msg("invalid bpf_context access off=20 size=2")
int sock_ops_narrow_family(struct bpf_sock_ops *ops)
{
	return *(volatile __u16 *)&ops->family == 2;
}

SEC("sockops") __failure __msg("invalid bpf_context access off=168 size=4")
int sock_ops_half_counter(struct bpf_sock_ops *ops)
{
	return *(volatile __u32 *)&ops->bytes_received == 2;
}

SEC("sockops") __failure __msg("invalid bpf_context access off=184 size=4")
int sock_ops_half_sk(struct bpf_sock_ops *ops)
{
	return *(volatile __u32 *)((char *)ops + 184) == 2;
}

SEC("sockops") __failure __msg("invalid mem access 'sock_or_null'")
int sock_ops_sk_unchecked(struct bpf_sock_ops *ops)
{
	struct bpf_sock *sk = ops->sk;
	return sk->state == 1;
}

SEC("sockops") __failure __msg("cannot write into packet")
int sock_ops_packet_write(struct bpf_sock_ops *ops)
{
	__u8 *data = ops->skb_data, *end = ops->skb_data_end;
	if (data + 1 > end) return 0;
	data[0] = 1;
	return 1;
}

SEC("tc") __failure __msg("invalid mem access 'scalar'")
int adjust_room_stale_pointer(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 1 > end) return 0;
	bpf_skb_adjust_room(skb, 4, BPF_ADJ_ROOM_NET, 0);
	return *(volatile __u8 *)data;
}

SEC("tc") __failure __msg("invalid mem access 'scalar'")
int change_proto_stale_pointer(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 1 > end) return 0;
	bpf_skb_change_proto(skb, 0xdd86, 0);
	return *(volatile __u8 *)data;
}

SEC("sk_msg") __failure __msg("invalid mem access 'scalar'")
int msg_pull_stale_pointer(struct sk_msg_md *msg)
{
	__u8 *data = msg->data, *end = msg->data_end;
	if (data + 1 > end) return 0;
	bpf_msg_pull_data(msg, 0, 1, 0);
	return *(volatile __u8 *)data;
}

SEC("sk_msg") __failure __msg("invalid mem access 'scalar'")
int msg_push_stale_pointer(struct sk_msg_md *msg)
{
	__u8 *data = msg->data, *end = msg->data_end;
	if (data + 1 > end) return 0;
	bpf_msg_push_data(msg, 0, 1, 0);
	return *(volatile __u8 *)data;
}

SEC("sk_msg") __failure __msg("invalid mem access 'scalar'")
int msg_pop_stale_pointer(struct sk_msg_md *msg)
{
	__u8 *data = msg->data, *end = msg->data_end;
	if (data + 1 > end) return 0;
	bpf_msg_pop_data(msg, 0, 1, 0);
	return *(volatile __u8 *)data;
}

/* re-read after the call, the pointers are fine again */
SEC("tc") __success
int adjust_room_reloaded(struct __sk_buff *skb)
{
	bpf_skb_adjust_room(skb, 4, BPF_ADJ_ROOM_NET, 0);
	__u8 *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 1 > end) return 0;
	return *(volatile __u8 *)data;
}

SEC("xdp") __failure __msg("program of this type cannot use helper bpf_skb_adjust_room#50")
int adjust_room_in_xdp(struct xdp_md *ctx)
{
	return bpf_skb_adjust_room((void *)ctx, 4, 0, 0);
}

SEC("tc") __failure __msg("program of this type cannot use helper bpf_msg_pull_data#63")
int msg_pull_in_tc(struct __sk_buff *skb)
{
	return bpf_msg_pull_data((void *)skb, 0, 1, 0);
}
