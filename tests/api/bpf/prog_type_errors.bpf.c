/* SPDX-License-Identifier: MIT */
/* Objects ringb must refuse at load (one per -D variant), and tracing
 * programs that read their host-given context. */
#include "ringb_test.h"
#include <linux/bpf_perf_event.h>

#if defined(UNKNOWN_SECTION)
SEC("no_such_type/x") int unknown(void *ctx) { return 0; }
#elif defined(XDP_SKB_HELPER)
/* skb_load_bytes is not an XDP helper: the kernel refuses the load. */
SEC("xdp") int xdp_skb_helper(struct xdp_md *x)
{
	__u8 b;
	return bpf_skb_load_bytes(x, 0, &b, 1);
}
#elif defined(TC_PROBE_READ)
/* bpf_probe_read (the compat one) is for tracing programs only. */
SEC("tc") int tc_probe_read(struct __sk_buff *skb)
{
	__u64 v;
	return bpf_probe_read(&v, 8, 0);
}
#else
/* kprobe: struct pt_regs, rdi (the first argument) at offset 112. */
SEC("kprobe/f") int kprobe_rdi(struct pt_regs *regs) { return regs->rdi; }
/* perf_event: sample_period after the registers (offset 168). */
SEC("perf_event") int perf_period(struct bpf_perf_event_data *ctx) { return ctx->sample_period; }
/* raw_tp: arguments. */
SEC("raw_tp/x") int raw_tp_arg2(__u64 *args) { return args[2]; }
/* flow_dissector: offsets out of range (clamped afterwards), the flags given. */
SEC("flow_dissector") int fd_offsets(struct __sk_buff *skb)
{
	struct bpf_flow_keys *k = skb->flow_keys;
	k->nhoff = 1000;
	k->thoff = 5;
	return k->flags;
}
/* tracepoint: the record as given (read-only, as in the kernel). */
SEC("tracepoint/x/y") int tp_read(__u64 *rec) { return rec[1] + 3; }
#endif
