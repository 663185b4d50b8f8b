/* verifier_ctx_reject: context access per program type — fields that are
 * read-only, out of range, narrower or wider than allowed, stores of
 * immediates and atomics into the context, variable and modified context
 * pointers, and the accepted edges (writable fields, the last field).
 * Kernel messages checked by tests/kernel, ringb by tests/corpus. */
#include "ringb_test.h"

#define NAKED __attribute__((naked))
#define SKB(f) [f] "i"(__builtin_offsetof(struct __sk_buff, f))
#define XDP(f) [f] "i"(__builtin_offsetof(struct xdp_md, f))

SEC("tc") __failure __msg("invalid bpf_context access off=0 size=4")
NAKED int vc_skb_len_write(void)
{
	asm volatile("r2 = 1; *(u32 *)(r1 + %[len]) = r2; r0 = 0; exit;" :: SKB(len) : __clobber_all);
}

SEC("tc") __failure __msg("invalid bpf_context access off=16 size=4")
NAKED int vc_skb_protocol_write(void)
{
	asm volatile("r2 = 1; *(u32 *)(r1 + %[protocol]) = r2; r0 = 0; exit;" :: SKB(protocol) : __clobber_all);
}

SEC("tc") __success
NAKED int vc_skb_mark_write(void)
{
	asm volatile("r2 = 0; *(u32 *)(r1 + %[mark]) = r2; r0 = 0; exit;" :: SKB(mark) : __clobber_all);
}

SEC("tc") __success
NAKED int vc_skb_cb_last_word(void)
{
	asm volatile("r2 = 7; *(u32 *)(r1 + %[cb4]) = r2; r0 = *(u32 *)(r1 + %[cb4]); r0 = 0; exit;"
		     :: [cb4] "i"(__builtin_offsetof(struct __sk_buff, cb[4])) : __clobber_all);
}

SEC("tc") __failure __msg("invalid bpf_context access off=68 size=4")
NAKED int vc_skb_past_cb(void)
{
	asm volatile("r2 = 7; *(u32 *)(r1 + %[cb4] + 4) = r2; r0 = 0; exit;"
		     :: [cb4] "i"(__builtin_offsetof(struct __sk_buff, cb[4])) : __clobber_all);
}

SEC("tc") __failure __msg("invalid bpf_context access off=76 size=4")
NAKED int vc_skb_data_write(void)
{
	asm volatile("r2 = 0; *(u32 *)(r1 + %[data]) = r2; r0 = 0; exit;" :: SKB(data) : __clobber_all);
}

SEC("tc") __failure __msg("invalid bpf_context access off=80 size=1")
NAKED int vc_skb_data_end_narrow(void)
{
	asm volatile("r0 = *(u8 *)(r1 + %[data_end]); r0 = 0; exit;" :: SKB(data_end) : __clobber_all);
}

SEC("tc") __failure __msg("invalid bpf_context access off=0 size=8")
NAKED int vc_skb_len_wide(void)
{
	asm volatile("r0 = *(u64 *)(r1 + %[len]); r0 = 0; exit;" :: SKB(len) : __clobber_all);
}

SEC("tc") __success
NAKED int vc_skb_len_narrow_ok(void)
{
	asm volatile("r0 = *(u16 *)(r1 + %[len]); r0 = 0; exit;" :: SKB(len) : __clobber_all);
}

SEC("tc") __failure __msg("invalid bpf_context access off=2 size=4")
NAKED int vc_skb_misaligned(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 2); r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("invalid bpf_context access off=-4 size=4")
NAKED int vc_skb_negative_off(void)
{
	asm volatile("r0 = *(u32 *)(r1 - 4); r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("invalid bpf_context access off=1024 size=4")
NAKED int vc_skb_past_end(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 1024); r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __success
NAKED int vc_st_imm_into_ctx(void)
{
	asm volatile("*(u32 *)(r1 + %[mark]) = 1; r0 = 0; exit;" :: SKB(mark) : __clobber_all);
}

SEC("tc") __failure __msg("BPF_ATOMIC stores into R1 ctx is not allowed")
NAKED int vc_atomic_into_ctx(void)
{
	asm volatile("r2 = 1; lock *(u32 *)(r1 + %[mark]) += w2; r0 = 0; exit;" :: SKB(mark) : __clobber_all);
}

SEC("tc") __failure __msg("variable ctx access var_off=(0x0; 0x4) disallowed")
NAKED int vc_variable_ctx_offset(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[mark]);"
		     "r2 &= 4;"
		     "r1 += r2;"
		     "r0 = *(u32 *)(r1 + 0);"
		     "r0 = 0; exit;" :: SKB(mark) : __clobber_all);
}

SEC("tc") __failure __msg("dereference of modified ctx ptr R1 off=8 disallowed")
NAKED int vc_modified_ctx_store(void)
{
	asm volatile("r1 += 8; r2 = 0; *(u32 *)(r1 + 0) = r2; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R1 invalid mem access 'scalar'")
NAKED int vc_ctx_spilled_partial(void)
{
	asm volatile("*(u64 *)(r10 - 8) = r1;"
		     "r2 = 0;"
		     "*(u32 *)(r10 - 8) = r2;"
		     "r1 = *(u64 *)(r10 - 8);"
		     "r0 = *(u32 *)(r1 + 0);"
		     "r0 = 0; exit;" ::: __clobber_all);
}

SEC("xdp") __failure __msg("invalid bpf_context access off=0 size=4")
NAKED int vc_xdp_data_write(void)
{
	asm volatile("r2 = 0; *(u32 *)(r1 + %[data]) = r2; r0 = 2; exit;" :: XDP(data) : __clobber_all);
}

SEC("xdp") __failure __msg("invalid bpf_context access off=24 size=4")
NAKED int vc_xdp_past_end(void)
{
	asm volatile("r0 = *(u32 *)(r1 + %[egress_ifindex] + 4); r0 = 2; exit;" :: XDP(egress_ifindex) : __clobber_all);
}

/* egress_ifindex is for devmap programs (BPF_XDP_DEVMAP) only */
SEC("xdp") __failure __msg("invalid bpf_context access off=20 size=4")
NAKED int vc_xdp_egress_ifindex(void)
{
	asm volatile("r0 = *(u32 *)(r1 + %[egress_ifindex]); r0 = 2; exit;" :: XDP(egress_ifindex) : __clobber_all);
}

SEC("xdp") __success
NAKED int vc_xdp_rx_queue_index(void)
{
	asm volatile("r0 = *(u32 *)(r1 + %[rx_queue_index]); r0 = 2; exit;" :: XDP(rx_queue_index) : __clobber_all);
}

SEC("xdp") __failure __msg("invalid bpf_context access off=0 size=8")
NAKED int vc_xdp_data_wide(void)
{
	asm volatile("r0 = *(u64 *)(r1 + %[data]); r0 = 2; exit;" :: XDP(data) : __clobber_all);
}

SEC("raw_tp") __failure __msg("invalid bpf_context access off=0 size=8")
NAKED int vc_raw_tp_write(void)
{
	asm volatile("r2 = 0; *(u64 *)(r1 + 0) = r2; r0 = 0; exit;" ::: __clobber_all);
}

SEC("raw_tp") __success
NAKED int vc_raw_tp_narrow(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 0); r0 = 0; exit;" ::: __clobber_all);
}

SEC("raw_tp") __failure __msg("invalid bpf_context access off=-8 size=8")
NAKED int vc_raw_tp_negative(void)
{
	asm volatile("r0 = *(u64 *)(r1 - 8); r0 = 0; exit;" ::: __clobber_all);
}

SEC("kprobe") __failure __msg("invalid bpf_context access off=168 size=8")
NAKED int vc_kprobe_past_regs(void)
{
	asm volatile("r0 = *(u64 *)(r1 + 168); r0 = 0; exit;" ::: __clobber_all);
}

SEC("kprobe") __failure __msg("invalid bpf_context access off=0 size=8")
NAKED int vc_kprobe_write(void)
{
	asm volatile("r2 = 0; *(u64 *)(r1 + 0) = r2; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tracepoint") __failure __msg("invalid bpf_context access off=8 size=8")
NAKED int vc_tracepoint_write(void)
{
	asm volatile("r2 = 0; *(u64 *)(r1 + 8) = r2; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R1 32-bit pointer arithmetic prohibited")
NAKED int vc_ctx_as_scalar_after_alu32(void)
{
	asm volatile("w1 += 0; r0 = *(u32 *)(r1 + 0); r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("invalid bpf_context access off=88 size=4")
NAKED int vc_skb_family_write(void)
{
	asm volatile("r2 = 0; *(u32 *)(r1 + %[family]) = r2; r0 = 0; exit;" :: SKB(family) : __clobber_all);
}

SEC("tc") __success
NAKED int vc_skb_tc_index_write(void)
{
	asm volatile("r2 = 0; *(u32 *)(r1 + %[tc_index]) = r2; r0 = 0; exit;" :: SKB(tc_index) : __clobber_all);
}
