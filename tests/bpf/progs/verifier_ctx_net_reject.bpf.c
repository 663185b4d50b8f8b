/* verifier_ctx_net_reject: the contexts of lwt_*, sk_skb and
 * flow_dissector programs (net/core/filter.c's lwt_is_valid_access,
 * sk_skb_is_valid_access, flow_dissector_is_valid_access): fields that
 * are not there or read-only, narrow loads of data, packet writes of the
 * types that may only read the packet, packet reads without a range
 * check, and flow_dissector's flow keys (PTR_TO_FLOW_KEYS, 56 bytes,
 * writable); xdp_md->egress_ifindex, which only devmap programs may read.
 * Kernel messages checked by tests/kernel, ringb by
 * tests/corpus. */
#include "ringb_test.h"

#define NAKED __attribute__((naked))
#define SKB(f) [f] "i"(__builtin_offsetof(struct __sk_buff, f))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vn_arr SEC(".maps");

/* ---- lwt_in/out/xmit/seg6local ---- */

SEC("lwt_in") __failure __msg("invalid bpf_context access off=76 size=4")
NAKED int vn_lwt_data_write(void)
{
	asm volatile("r2 = 0; *(u32 *)(r1 + %[data]) = r2; r0 = 0; exit;" :: SKB(data) : __clobber_all);
}

SEC("lwt_out") __failure __msg("invalid bpf_context access off=72 size=4")
NAKED int vn_lwt_tc_classid_read(void)
{
	asm volatile("r0 = *(u32 *)(r1 + %[tc_classid]); r0 = 0; exit;" :: SKB(tc_classid) : __clobber_all);
}

SEC("lwt_in") __failure __msg("invalid bpf_context access off=88 size=4")
NAKED int vn_lwt_family_read(void)
{
	asm volatile("r0 = *(u32 *)(r1 + %[family]); r0 = 0; exit;" :: SKB(family) : __clobber_all);
}

SEC("lwt_xmit") __failure __msg("invalid bpf_context access off=152 size=8")
NAKED int vn_lwt_tstamp_read(void)
{
	asm volatile("r0 = *(u64 *)(r1 + %[tstamp]); r0 = 0; exit;" :: SKB(tstamp) : __clobber_all);
}

SEC("lwt_seg6local") __failure __msg("invalid bpf_context access off=76 size=2")
NAKED int vn_lwt_data_narrow(void)
{
	asm volatile("r0 = *(u16 *)(r1 + %[data]); r0 = 0; exit;" :: SKB(data) : __clobber_all);
}

SEC("lwt_out") __failure __msg("invalid bpf_context access off=0 size=4")
NAKED int vn_lwt_len_write(void)
{
	asm volatile("r2 = 1; *(u32 *)(r1 + %[len]) = r2; r0 = 0; exit;" :: SKB(len) : __clobber_all);
}

/* mark, priority and cb[] are writable; len reads narrow. */
SEC("lwt_in") __success
NAKED int vn_lwt_writable_fields(void)
{
	asm volatile("r2 = 1; *(u32 *)(r1 + %[mark]) = r2; *(u32 *)(r1 + %[priority]) = r2;"
		     "*(u32 *)(r1 + %[cb4]) = r2; r0 = *(u8 *)(r1 + %[len]); r0 = 0; exit;"
		     :: SKB(mark), SKB(priority), SKB(len), [cb4] "i"(__builtin_offsetof(struct __sk_buff, cb[4]))
		     : __clobber_all);
}

SEC("lwt_in") __failure __msg("cannot write into packet")
NAKED int vn_lwt_in_packet_write(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]); r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = r2; r4 += 1; if r4 > r3 goto 1f; r5 = 0; *(u8 *)(r2 + 0) = r5; 1: r0 = 0; exit;"
		     :: SKB(data), SKB(data_end) : __clobber_all);
}

SEC("lwt_xmit") __success
NAKED int vn_lwt_xmit_packet_write(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]); r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = r2; r4 += 1; if r4 > r3 goto 1f; r5 = 0; *(u8 *)(r2 + 0) = r5; 1: r0 = 0; exit;"
		     :: SKB(data), SKB(data_end) : __clobber_all);
}

SEC("lwt_out") __failure __msg("invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)")
__msg("R2 offset is outside of the packet")
NAKED int vn_lwt_packet_unchecked(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]); r0 = *(u8 *)(r2 + 0); r0 = 0; exit;" :: SKB(data) : __clobber_all);
}

/* ---- sk_skb ---- */

SEC("sk_skb") __failure __msg("invalid bpf_context access off=8 size=4")
NAKED int vn_sk_skb_mark_read(void)
{
	asm volatile("r0 = *(u32 *)(r1 + %[mark]); r0 = 0; exit;" :: SKB(mark) : __clobber_all);
}

SEC("sk_skb") __failure __msg("invalid bpf_context access off=48 size=4")
NAKED int vn_sk_skb_cb_write(void)
{
	asm volatile("r2 = 1; *(u32 *)(r1 + %[cb0]) = r2; r0 = 0; exit;"
		     :: [cb0] "i"(__builtin_offsetof(struct __sk_buff, cb[0])) : __clobber_all);
}

SEC("sk_skb") __failure __msg("invalid bpf_context access off=140 size=4")
NAKED int vn_sk_skb_data_meta(void)
{
	asm volatile("r0 = *(u32 *)(r1 + %[data_meta]); r0 = 0; exit;" :: SKB(data_meta) : __clobber_all);
}

SEC("sk_skb") __failure __msg("invalid bpf_context access off=92 size=2")
NAKED int vn_sk_skb_remote_ip4_narrow(void)
{
	asm volatile("r0 = *(u16 *)(r1 + %[remote_ip4]); r0 = 0; exit;" :: SKB(remote_ip4) : __clobber_all);
}

/* tc_index and priority writable, the socket's addresses readable, the
 * packet writable after its check. */
SEC("sk_skb") __success
NAKED int vn_sk_skb_fields_and_packet(void)
{
	asm volatile("r2 = 1; *(u32 *)(r1 + %[tc_index]) = r2; *(u32 *)(r1 + %[priority]) = r2;"
		     "r0 = *(u32 *)(r1 + %[remote_ip4]); r0 = *(u16 *)(r1 + %[local_port]);"
		     "r2 = *(u32 *)(r1 + %[data]); r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = r2; r4 += 4; if r4 > r3 goto 1f; r5 = 0; *(u32 *)(r2 + 0) = r5; 1: r0 = 0; exit;"
		     :: SKB(tc_index), SKB(priority), SKB(remote_ip4), SKB(local_port), SKB(data), SKB(data_end)
		     : __clobber_all);
}

/* ---- flow_dissector ---- */

SEC("flow_dissector") __failure __msg("invalid bpf_context access off=0 size=4")
NAKED int vn_flow_len_read(void)
{
	asm volatile("r0 = *(u32 *)(r1 + %[len]); r0 = 0; exit;" :: SKB(len) : __clobber_all);
}

SEC("flow_dissector") __failure __msg("invalid bpf_context access off=144 size=4")
NAKED int vn_flow_keys_narrow(void)
{
	asm volatile("r0 = *(u32 *)(r1 + %[flow_keys]); r0 = 0; exit;" :: SKB(flow_keys) : __clobber_all);
}

SEC("flow_dissector") __failure __msg("invalid bpf_context access off=76 size=4")
NAKED int vn_flow_data_write(void)
{
	asm volatile("r2 = 0; *(u32 *)(r1 + %[data]) = r2; r0 = 0; exit;" :: SKB(data) : __clobber_all);
}

SEC("flow_dissector") __failure __msg("invalid access to flow keys off=56 size=4")
NAKED int vn_flow_keys_past_end(void)
{
	asm volatile("r2 = *(u64 *)(r1 + %[flow_keys]); r0 = *(u32 *)(r2 + 56); r0 = 0; exit;"
		     :: SKB(flow_keys) : __clobber_all);
}

SEC("flow_dissector") __failure __msg("invalid access to flow keys off=-4 size=4")
NAKED int vn_flow_keys_negative(void)
{
	asm volatile("r2 = *(u64 *)(r1 + %[flow_keys]); r2 += -4; r0 = *(u32 *)(r2 + 0); r0 = 0; exit;"
		     :: SKB(flow_keys) : __clobber_all);
}

/* The flow keys are the program's output: writable to their last byte. */
SEC("flow_dissector") __success
NAKED int vn_flow_keys_write_last(void)
{
	asm volatile("r2 = *(u64 *)(r1 + %[flow_keys]); r3 = 1; *(u16 *)(r2 + 0) = r3;"
		     "*(u32 *)(r2 + 52) = r3; r2 += 8; r0 = *(u8 *)(r2 + 47); r0 = 0; exit;"
		     :: SKB(flow_keys) : __clobber_all);
}

SEC("flow_dissector") __failure __msg("cannot write into packet")
NAKED int vn_flow_packet_write(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]); r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = r2; r4 += 1; if r4 > r3 goto 1f; r5 = 0; *(u8 *)(r2 + 0) = r5; 1: r0 = 0; exit;"
		     :: SKB(data), SKB(data_end) : __clobber_all);
}

SEC("flow_dissector") __failure __msg("R2 invalid mem access 'scalar'")
NAKED int vn_flow_keys_scalar_after_alu32(void)
{
	asm volatile("r2 = *(u64 *)(r1 + %[flow_keys]); w2 -= 0; r0 = *(u8 *)(r2 + 0); r0 = 0; exit;"
		     :: SKB(flow_keys) : __clobber_all);
}

/* ---- xdp: egress_ifindex for devmap programs (BPF_XDP_DEVMAP) only ---- */

SEC("xdp/devmap") __success
NAKED int vn_xdp_devmap_egress_ifindex(void)
{
	asm volatile("r0 = *(u32 *)(r1 + %[egress_ifindex]); r0 = 2; exit;"
		     :: [egress_ifindex] "i"(__builtin_offsetof(struct xdp_md, egress_ifindex)) : __clobber_all);
}

SEC("xdp/cpumap") __failure __msg("invalid bpf_context access off=20 size=4")
NAKED int vn_xdp_cpumap_egress_ifindex(void)
{
	asm volatile("r0 = *(u32 *)(r1 + %[egress_ifindex]); r0 = 2; exit;"
		     :: [egress_ifindex] "i"(__builtin_offsetof(struct xdp_md, egress_ifindex)) : __clobber_all);
}

SEC("xdp/devmap") __failure __msg("invalid bpf_context access off=20 size=2")
NAKED int vn_xdp_devmap_egress_narrow(void)
{
	asm volatile("r0 = *(u16 *)(r1 + %[egress_ifindex]); r0 = 2; exit;"
		     :: [egress_ifindex] "i"(__builtin_offsetof(struct xdp_md, egress_ifindex)) : __clobber_all);
}

/* Packet pointers are never loaded sign-extended (LDSX, cpu v4): xdp's
 * data, tc's data_end, flow_dissector's data. A scalar field may be. */
SEC("xdp") __failure __msg("invalid bpf_context access off=0 size=4")
NAKED int vn_ldsx_xdp_data(void)
{
	asm volatile("r2 = *(s32 *)(r1 + 0); r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("invalid bpf_context access off=80 size=4")
NAKED int vn_ldsx_tc_data_end(void)
{
	asm volatile("r2 = *(s32 *)(r1 + %[data_end]); r0 = 0; exit;" :: SKB(data_end) : __clobber_all);
}

SEC("flow_dissector") __failure __msg("invalid bpf_context access off=76 size=4")
NAKED int vn_ldsx_flow_dissector_data(void)
{
	asm volatile("r2 = *(s32 *)(r1 + %[data]); r0 = 0; exit;" :: SKB(data) : __clobber_all);
}

SEC("tc") __success
NAKED int vn_ldsx_tc_len(void)
{
	asm volatile("r2 = *(s32 *)(r1 + %[len]); r0 = 0; exit;" :: SKB(len) : __clobber_all);
}

/* A context pointer compared with 0 takes both branches (the kernel's
 * reg_not_null knows only sockets, map values and keys, memory and trusted
 * BTF pointers are never NULL), so one store serves the stack on one path
 * and the context on the other: refused, since the kernel rewrites context
 * stores by their field. */
SEC("tc") __failure __msg("same insn cannot be used with different pointers")
NAKED int vn_store_ctx_or_stack(void)
{
	asm volatile("r3 = 42; r6 = r10; r6 += -8;"
		     "if r1 == 0 goto 1f;"
		     "r2 = r10; r2 += -16; *(u64 *)(r6 + 0) = r2;"
		     "1: if r1 != 0 goto 2f;"
		     "*(u64 *)(r6 + 0) = r1;"
		     "2: r1 = *(u64 *)(r6 + 0);"
		     "*(u32 *)(r1 + %[mark]) = r3;"
		     "r0 = 0; exit;" :: SKB(mark) : __clobber_all);
}

/* Both branches of ctx == 0 are walked: the NULL one reads r7, never set. */
SEC("tc") __failure __msg("R7 !read_ok")
NAKED int vn_ctx_null_branch_walked(void)
{
	asm volatile("if r1 != 0 goto 1f;"
		     "r0 = r7; exit;"
		     "1: r0 = 0; exit;" ::: __clobber_all);
}

/* A map value the lookup returned, once checked, is never NULL again. */
SEC("tc") __success
NAKED int vn_map_value_null_branch_dead(void)
{
	asm volatile("r1 = 0; *(u32 *)(r10 - 4) = r1;"
		     "r2 = r10; r2 += -4; r1 = %[vn_arr] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "if r0 == 0 goto 1f;"
		     "if r0 != 0 goto 1f;"
		     "r0 = r7; exit;"
		     "1: r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vn_arr) : __clobber_all);
}

/* flow_keys moves by a constant only. */
SEC("flow_dissector") __failure __msg("R7 pointer arithmetic on flow_keys prohibited")
NAKED int vn_flow_keys_variable_offset(void)
{
	asm volatile("r7 = *(u64 *)(r1 + %[flow_keys]);"
		     "r8 = *(u8 *)(r7 + 0); r8 &= 8;"
		     "r7 += r8;"
		     "r0 = *(u64 *)(r7 + 0);"
		     "r0 = 0; exit;" :: SKB(flow_keys) : __clobber_all);
}
