/* SPDX-License-Identifier: MIT */
/* Program types the kernel has no test run for (it answers -ENOTSUPP), run
 * by ringb alone; the expected values are worked out by hand from the
 * contexts ringb documents (docs/helpers.md). The corpus runners give the
 * tracing types the 64-byte corpus packet as ctx_in, the others data_in.
 *   sk_skb          __sk_buff over data_in as the stream's payload: len 64
 *   sk_msg          sk_msg_md: data/data_end over data_in, size 64
 *   lwt_seg6local   __sk_buff from the IP header, as lwt_in: len 50
 *   kprobe          struct pt_regs: r15 (offset 0) = bytes 0..7
 *   tracepoint      the record as given: bytes 8..15 as a u64
 *   perf_event      bpf_perf_event_data: regs from ctx_in, sample_period 0 */
#include "ringb_test.h"
#include <linux/bpf_perf_event.h>

struct pt_regs_x86 { /* struct pt_regs, x86-64 */
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs,
		flags, sp, ss;
};

SEC("sk_skb/stream_verdict") __retval(0x4002)
int sk_skb_ctx(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 1 > end) return -1;
	return skb->len << 8 | *(__u8 *)data;
}

/* sk_skb may change the tail (sk_skb_change_tail): to 10 bytes. */
SEC("sk_skb") __retval(10)
int sk_skb_change_tail(struct __sk_buff *skb)
{
	if (bpf_skb_change_tail(skb, 10, 0)) return -1;
	return skb->len;
}

SEC("sk_msg") __retval(0x4045)
int sk_msg_ctx(struct sk_msg_md *msg)
{
	void *data = msg->data, *end = msg->data_end;
	if (data + 15 > end) return -1;
	return msg->size << 8 | ((__u8 *)data)[14];
}

SEC("lwt_seg6local") __retval(50)
int lwt_seg6local_len(struct __sk_buff *skb)
{
	return skb->len;
}

/* r15 = bytes 0..7 = 0x0002020000000002 little-endian; its top half. */
SEC("kprobe/do_nothing") __retval(0x00020200)
int kprobe_regs(struct pt_regs_x86 *regs)
{
	return regs->r15 >> 32;
}

/* di (the first argument) lies past the 64 given bytes: zero-filled. */
SEC("kprobe/do_nothing") __retval(0)
int kprobe_regs_zero_filled(struct pt_regs_x86 *regs)
{
	return regs->di;
}

/* A stack that is empty: 0 bytes, the buffer zeroed; skipping frames that
 * are not there is -EFAULT. */
SEC("kprobe/do_nothing") __retval(0x10e)
int kprobe_get_stack(struct pt_regs_x86 *regs)
{
	__u64 buf[2] = {1, 1};
	long a = bpf_get_stack(regs, buf, sizeof(buf), 0);
	if (buf[0] || buf[1]) return -1;
	long b = bpf_get_stack(regs, buf, sizeof(buf), 1);
	return (a + 1) << 8 | -b;
}

SEC("tracepoint/syscalls/sys_enter_nothing") __retval(0x450008)
int tracepoint_record(__u64 *rec)
{
	return rec[1] >> 32;
}

/* sample_period sits after the 168 bytes of registers: 0 here. */
SEC("perf_event") __retval(0x202)
int perf_event_ctx(struct bpf_perf_event_data *ctx)
{
	return (ctx->regs.r15 >> 40) + ctx->sample_period;
}
