/* SPDX-License-Identifier: MIT */
/* The sk_msg data helpers on a test run's message: the 64-byte test packet
 * as one scatterlist element (ringb/test_ctx.h). The kernel cannot test-run
 * sk_msg programs: it loads and verifies these, the values are worked out by
 * hand from net/core/filter.c's behaviour (docs/helpers.md):
 *   pull_data(start, end)  data/data_end = [start, end), joining elements
 *   push_data(start, len)  len zero bytes before start; data/data_end = the
 *                          first element afterwards
 *   pop_data(start, len)   bytes removed; data/data_end = the first element
 * Bytes of the packet: 0x02 at 0, 0x08 at 12, 0x45 at 14, zero from 34. */
#include "ringb_test.h"

static __always_inline long span(struct sk_msg_md *msg)
{
	return (long)msg->data_end - (long)msg->data;
}

SEC("sk_msg") __retval(0)
int msg_apply_cork(struct sk_msg_md *msg)
{
	return bpf_msg_apply_bytes(msg, ringb_opaque(10)) | bpf_msg_cork_bytes(msg, ringb_opaque(5));
}

/* inside the one element: data moves to 14, data_end to 34 */
SEC("sk_msg") __retval(0x1445)
int msg_pull_inside(struct sk_msg_md *msg)
{
	if (bpf_msg_pull_data(msg, ringb_opaque(14), 34, 0)) return -1;
	__u8 *data = msg->data, *end = msg->data_end;
	if (data + 1 > end) return -2;
	return (end - data) << 8 | data[0];
}

SEC("sk_msg") __retval(-22)
int msg_pull_flags(struct sk_msg_md *msg)
{
	return bpf_msg_pull_data(msg, 0, 4, ringb_opaque(1));
}

SEC("sk_msg") __retval(-22)
int msg_pull_empty_range(struct sk_msg_md *msg)
{
	return bpf_msg_pull_data(msg, ringb_opaque(4), 4, 0);
}

SEC("sk_msg") __retval(-22)
int msg_pull_start_past(struct sk_msg_md *msg)
{
	return bpf_msg_pull_data(msg, ringb_opaque(64), 65, 0);
}

SEC("sk_msg") __retval(-22)
int msg_pull_end_past(struct sk_msg_md *msg)
{
	return bpf_msg_pull_data(msg, ringb_opaque(0), 65, 0);
}

/* push at 0: a new first element of 4 zero bytes, the message 68 long */
SEC("sk_msg") __retval(0x4404)
int msg_push_front(struct sk_msg_md *msg)
{
	if (bpf_msg_push_data(msg, ringb_opaque(0), 4, 0)) return -1;
	__u8 *data = msg->data, *end = msg->data_end;
	if (data + 4 > end) return -2;
	if (*(__u32 *)data) return -3;
	return msg->size << 8 | (end - data);
}

/* push at 14 splits the element: [0,14) [4 new] [14,64); data/data_end are
 * the first 14 bytes */
SEC("sk_msg") __retval(0x0e4408)
int msg_push_split(struct sk_msg_md *msg)
{
	if (bpf_msg_push_data(msg, ringb_opaque(14), 4, 0)) return -1;
	__u8 *data = msg->data, *end = msg->data_end;
	if (data + 13 > end) return -2;
	return (end - data) << 16 | msg->size << 8 | data[12];
}

/* then a pull across the three elements joins them */
SEC("sk_msg") __retval(0x4445)
int msg_push_then_pull(struct sk_msg_md *msg)
{
	if (bpf_msg_push_data(msg, ringb_opaque(14), 4, 0)) return -1;
	if (bpf_msg_pull_data(msg, 0, ringb_opaque(68), 0)) return -2;
	__u8 *data = msg->data, *end = msg->data_end;
	if (data + 19 > end) return -3;
	if (data[14] | data[15] | data[16] | data[17]) return -4;
	return (end - data) << 8 | data[18];
}

SEC("sk_msg") __retval(-22)
int msg_push_flags(struct sk_msg_md *msg)
{
	return bpf_msg_push_data(msg, 0, 4, ringb_opaque(2));
}

SEC("sk_msg") __retval(-22)
int msg_push_at_end(struct sk_msg_md *msg)
{
	return bpf_msg_push_data(msg, ringb_opaque(64), 4, 0);
}

SEC("sk_msg") __retval(0x40)
int msg_push_nothing(struct sk_msg_md *msg)
{
	return bpf_msg_push_data(msg, ringb_opaque(64), 0, 0) | msg->size;
}

/* pop the IPv4 header [14, 34): the element splits; pulled back together
 * the padding follows the Ethernet header */
SEC("sk_msg") __retval(0x2c2c)
int msg_pop_middle(struct sk_msg_md *msg)
{
	if (bpf_msg_pop_data(msg, ringb_opaque(14), 20, 0)) return -1;
	if (span(msg) != 14) return -2;
	if (bpf_msg_pull_data(msg, 0, ringb_opaque(44), 0)) return -3;
	__u8 *data = msg->data, *end = msg->data_end;
	if (data + 15 > end) return -4;
	if (data[14] || data[12] != 0x08) return -5;
	return msg->size << 8 | (end - data);
}

/* pop at the front: the element starts later */
SEC("sk_msg") __retval(0x3245)
int msg_pop_front(struct sk_msg_md *msg)
{
	if (bpf_msg_pop_data(msg, ringb_opaque(0), 14, 0)) return -1;
	__u8 *data = msg->data, *end = msg->data_end;
	if (data + 1 > end) return -2;
	return msg->size << 8 | data[0];
}

/* pop to the very end */
SEC("sk_msg") __retval(60)
int msg_pop_tail(struct sk_msg_md *msg)
{
	if (bpf_msg_pop_data(msg, ringb_opaque(60), 4, 0)) return -1;
	return msg->size;
}

SEC("sk_msg") __retval(-22)
int msg_pop_past_end(struct sk_msg_md *msg)
{
	return bpf_msg_pop_data(msg, ringb_opaque(60), 5, 0);
}

SEC("sk_msg") __retval(-22)
int msg_pop_start_past(struct sk_msg_md *msg)
{
	return bpf_msg_pop_data(msg, ringb_opaque(64), 0, 0);
}

SEC("sk_msg") __retval(-22)
int msg_pop_flags(struct sk_msg_md *msg)
{
	return bpf_msg_pop_data(msg, 0, 4, ringb_opaque(1));
}

/* push 4 at 14 and pop them again: the pushed element leaves the ring */
SEC("sk_msg") __retval(0x4045)
int msg_push_pop(struct sk_msg_md *msg)
{
	if (bpf_msg_push_data(msg, ringb_opaque(14), 4, 0)) return -1;
	if (bpf_msg_pop_data(msg, ringb_opaque(14), 4, 0)) return -2;
	if (bpf_msg_pull_data(msg, 0, ringb_opaque(64), 0)) return -3;
	__u8 *data = msg->data, *end = msg->data_end;
	if (data + 15 > end) return -4;
	return (end - data) << 8 | data[14];
}

/* 16 one-byte pushes at 0 fill the ring (17 elements in use); a push into
 * an element then has no free slot: the element and the gap are copied into
 * one new buffer. The packet then starts at 18. */
SEC("sk_msg") __retval(0x5245)
int msg_push_ring_full(struct sk_msg_md *msg)
{
	for (int i = 0; i < 16; i++)
		if (bpf_msg_push_data(msg, 0, 1, 0)) return -1;
	if (bpf_msg_push_data(msg, ringb_opaque(5), 2, 0)) return -2;
	if (bpf_msg_pull_data(msg, 0, ringb_opaque(82), 0)) return -3;
	__u8 *data = msg->data, *end = msg->data_end;
	if (data + 33 > end) return -4;
	if (data[18] != 0x02) return -5;
	return msg->size << 8 | data[32];
}

/* with the ring full, a pop inside an element copies its front and back
 * into a new buffer: [20, 24) of the packet goes, its byte 24 (0x54)
 * follows byte 19 */
SEC("sk_msg") __retval(0x4c54)
int msg_pop_ring_full(struct sk_msg_md *msg)
{
	for (int i = 0; i < 16; i++)
		if (bpf_msg_push_data(msg, 0, 1, 0)) return -1;
	if (bpf_msg_pop_data(msg, ringb_opaque(36), 4, 0)) return -2;
	if (bpf_msg_pull_data(msg, 0, ringb_opaque(76), 0)) return -3;
	__u8 *data = msg->data, *end = msg->data_end;
	if (data + 37 > end) return -4;
	if (data[30] != 0x45) return -5;
	return msg->size << 8 | data[36];
}
