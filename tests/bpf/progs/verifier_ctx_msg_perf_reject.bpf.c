/* verifier_ctx_msg_perf_reject: the contexts of sk_msg (struct sk_msg_md,
 * net/core/filter.c's sk_msg_is_valid_access) and perf_event programs
 * (struct bpf_perf_event_data, kernel/trace/bpf_trace.c's
 * pe_prog_is_valid_access): read-only fields, whole-field sizes, narrow
 * loads where allowed, the end of the context, sk_msg's packet and its
 * socket pointer. Kernel messages checked by tests/kernel, ringb by
 * tests/corpus. */
#include "ringb_test.h"
#include <linux/bpf_perf_event.h>

#define NAKED __attribute__((naked))
#define MSG(f) [f] "i"(__builtin_offsetof(struct sk_msg_md, f))
#define PE(f) [f] "i"(__builtin_offsetof(struct bpf_perf_event_data, f))

/* ---- sk_msg ---- */

SEC("sk_msg") __failure __msg("invalid bpf_context access off=68 size=4")
NAKED int vm_msg_size_write(void)
{
	asm volatile("r2 = 1; *(u32 *)(r1 + %[size]) = r2; r0 = 0; exit;" :: MSG(size) : __clobber_all);
}

SEC("sk_msg") __failure __msg("invalid bpf_context access off=0 size=4")
NAKED int vm_msg_data_narrow(void)
{
	asm volatile("r0 = *(u32 *)(r1 + %[data]); r0 = 0; exit;" :: MSG(data) : __clobber_all);
}

SEC("sk_msg") __failure __msg("invalid bpf_context access off=64 size=2")
NAKED int vm_msg_local_port_narrow(void)
{
	asm volatile("r0 = *(u16 *)(r1 + %[local_port]); r0 = 0; exit;" :: MSG(local_port) : __clobber_all);
}

SEC("sk_msg") __failure __msg("invalid bpf_context access off=80 size=4")
NAKED int vm_msg_past_end(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 80); r0 = 0; exit;" ::: __clobber_all);
}

SEC("sk_msg") __failure __msg("invalid access to packet, off=0 size=4, R2(id=0,off=0,r=0)")
__msg("R2 offset is outside of the packet")
NAKED int vm_msg_packet_unchecked(void)
{
	asm volatile("r2 = *(u64 *)(r1 + %[data]); r0 = *(u32 *)(r2 + 0); r0 = 0; exit;" :: MSG(data) : __clobber_all);
}

/* The packet is writable after its check; sk is a socket, never NULL. */
SEC("sk_msg") __success
NAKED int vm_msg_packet_write_and_sk(void)
{
	asm volatile("r2 = *(u64 *)(r1 + %[data]); r3 = *(u64 *)(r1 + %[data_end]);"
		     "r4 = r2; r4 += 2; if r4 > r3 goto 1f; r5 = 0; *(u16 *)(r2 + 0) = r5;"
		     "1: r6 = *(u64 *)(r1 + %[sk]); r0 = *(u32 *)(r6 + %[family]); r0 = *(u32 *)(r1 + %[size]);"
		     "r0 = 0; exit;"
		     :: MSG(data), MSG(data_end), MSG(sk), MSG(size),
		        [family] "i"(__builtin_offsetof(struct bpf_sock, family)) : __clobber_all);
}

SEC("sk_msg") __failure __msg("R6 cannot write into sock")
NAKED int vm_msg_sk_write(void)
{
	asm volatile("r6 = *(u64 *)(r1 + %[sk]); r2 = 1; *(u32 *)(r6 + 0) = r2; r0 = 0; exit;"
		     :: MSG(sk) : __clobber_all);
}

/* ---- perf_event ---- */

SEC("perf_event") __failure __msg("invalid bpf_context access off=168 size=8")
NAKED int vm_pe_sample_period_write(void)
{
	asm volatile("r2 = 1; *(u64 *)(r1 + %[sample_period]) = r2; r0 = 0; exit;" :: PE(sample_period) : __clobber_all);
}

SEC("perf_event") __failure __msg("invalid bpf_context access off=0 size=4")
NAKED int vm_pe_regs_narrow(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 0); r0 = 0; exit;" ::: __clobber_all);
}

SEC("perf_event") __failure __msg("invalid bpf_context access off=184 size=8")
NAKED int vm_pe_past_end(void)
{
	asm volatile("r0 = *(u64 *)(r1 + 184); r0 = 0; exit;" ::: __clobber_all);
}

SEC("perf_event") __failure __msg("invalid bpf_context access off=172 size=8")
NAKED int vm_pe_misaligned(void)
{
	asm volatile("r0 = *(u64 *)(r1 + 172); r0 = 0; exit;" ::: __clobber_all);
}

/* The registers in whole longs (the last one too), sample_period and addr
 * narrow. */
SEC("perf_event") __success
NAKED int vm_pe_reads(void)
{
	asm volatile("r0 = *(u64 *)(r1 + 160); r0 = *(u32 *)(r1 + %[sample_period]);"
		     "r0 = *(u8 *)(r1 + %[addr]); r0 = *(u16 *)(r1 + 182); r0 = 0; exit;"
		     :: PE(sample_period), PE(addr) : __clobber_all);
}
