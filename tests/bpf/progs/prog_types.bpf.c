/* SPDX-License-Identifier: MIT */
/* Program types the kernel test-runs, each on the corpus packet (64 bytes:
 * Ethernet, IPv4/UDP, zeros): the context each gets (net/bpf/test_run.c).
 *   cgroup_skb, lwt_*   data starts at the IP header (eth_type_trans pulled
 *                       14 bytes): len 50
 *   flow_dissector      data from the Ethernet header, flow_keys with
 *                       n_proto, nhoff = thoff = 14; no sk_buff behind it
 *   raw_tp              the packet given as ctx_in: eight u64 arguments */
#include "ringb_test.h"
#include <bpf/bpf_endian.h>

/* cgroup_skb returns 0 or 1: each program checks one thing. */
SEC("cgroup_skb/ingress") __retval(1)
int cgroup_skb_len(struct __sk_buff *skb)
{
	return skb->len == 50 && skb->protocol == bpf_htons(0x0800);
}

SEC("cgroup_skb/egress") __retval(1)
int cgroup_skb_data(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 1 > end) return 0;
	return *(__u8 *)data == 0x45 && end - data == 50;
}

/* skb_load_bytes counts from the IP header too: its protocol byte (17). */
SEC("cgroup_skb/ingress") __retval(1)
int cgroup_skb_load(struct __sk_buff *skb)
{
	__u8 proto = 0;
	return bpf_skb_load_bytes(skb, 9, &proto, 1) == 0 && proto == 17;
}

SEC("lwt_in") __retval(0x4532)
int lwt_in_ctx(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 1 > end) return -1;
	return *(__u8 *)data << 8 | skb->len;
}

SEC("lwt_out") __retval(50)
int lwt_out_len(struct __sk_buff *skb)
{
	return skb->len;
}

/* lwt_xmit may change the head: 14 bytes more. */
SEC("lwt_xmit") __retval(64)
int lwt_xmit_head(struct __sk_buff *skb)
{
	if (bpf_skb_change_head(skb, 14, 0)) return -1;
	return skb->len;
}

/* The flow keys the kernel hands in: n_proto 0x0800, nhoff = thoff = 14. */
SEC("flow_dissector") __retval(0x8000e0)
int flow_dissector_keys(struct __sk_buff *skb)
{
	struct bpf_flow_keys *k = skb->flow_keys;
	return bpf_ntohs(k->n_proto) << 12 | k->nhoff << 4 | (k->thoff - 14);
}

/* Data from the Ethernet header: 64 bytes, the destination MAC's first byte. */
SEC("flow_dissector") __retval(0x4002)
int flow_dissector_data(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 1 > end) return -1;
	return (end - data) << 8 | *(__u8 *)data;
}

/* Test runs have no sk_buff behind the context: skb_load_bytes is -EFAULT. */
SEC("flow_dissector") __retval(-14)
int flow_dissector_load_bytes(struct __sk_buff *skb)
{
	__u8 b;
	return bpf_skb_load_bytes(skb, 0, &b, 1);
}

/* raw_tp: args[1] is bytes 8..15 of the packet, 02 00 00 00 08 00 45 00
 * little-endian; its low 32 bits 0x00000002, the high 0x00450008. */
SEC("raw_tp/sys_enter") __retval(0x450008)
int raw_tp_args(__u64 *ctx)
{
	return ctx[1] >> 32;
}

/* get_stack's argument checks come before any stack walk: bad flags, a
 * build id without the user stack, a size not a multiple of 8. */
SEC("raw_tp/sys_enter") __retval(7)
int raw_tp_get_stack_errors(__u64 *ctx)
{
	__u64 buf[4];
	int r = 0;
	if (bpf_get_stack(ctx, buf, sizeof(buf), 1 << 12) == -22) r |= 1;
	if (bpf_get_stack(ctx, buf, sizeof(buf), BPF_F_USER_BUILD_ID) == -22) r |= 2;
	if (bpf_get_stack(ctx, buf, 12, 0) == -22) r |= 4;
	return r;
}

/* The compat probe reads: below TASK_SIZE as user memory (-EFAULT), a
 * non-canonical address as kernel memory (-ERANGE). */
SEC("raw_tp/sys_enter") __retval(3)
int raw_tp_probe_read(__u64 *ctx)
{
	__u64 v;
	char s[8];
	int r = 0;
	if (bpf_probe_read(&v, 8, (void *)ringb_opaque(0L)) == -14 && bpf_probe_read_str(s, 8, 0) == -14) r |= 1;
	if (bpf_probe_read(&v, 8, (void *)ringb_opaque(0x8000000000000000UL)) == -34) r |= 2;
	return r;
}
