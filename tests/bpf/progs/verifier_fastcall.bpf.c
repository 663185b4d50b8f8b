/* SPDX-License-Identifier: MIT */
/* Stack depth across calls as this machine's kernel counts it: with the JIT
 * on, each frame's depth rounds up to 16 bytes (a frame without stack takes
 * none); and bpf_fastcall — spills and fills of caller-saved registers
 * around a call the kernel inlines (bpf_get_smp_processor_id on x86_64)
 * are removed at load, so their slots do not count, unless the function
 * touches that region otherwise or a call that is not fastcall has the
 * same pattern. */
#include "ringb_test.h"

#define NAKED __attribute__((naked))
#define SUB __attribute__((naked, noinline, used)) static int

/* 496 + 16: within 512 once rounded to 16 (the interpreter's rounding to 32
 * would make it 528). */
SUB fc_sub_16(void)
{
	asm volatile("r1 = 7; *(u64 *)(r10 - 16) = r1; r0 = *(u64 *)(r10 - 16); exit;");
}

SEC("tc") __retval(7)
NAKED int fc_depth_rounded_to_16(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 496) = r1; call fc_sub_16; exit;" ::: __clobber_all);
}

SUB fc_sub_32(void)
{
	asm volatile("r1 = 7; *(u64 *)(r10 - 24) = r1; r0 = *(u64 *)(r10 - 24); exit;");
}

SEC("?tc") __failure __msg("combined stack size of 2 calls is 528. Too large")
NAKED int fc_depth_over_by_16(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 496) = r1; call fc_sub_32; exit;" ::: __clobber_all);
}

/* A frame that uses no stack adds nothing. */
SUB fc_sub_no_stack(void)
{
	asm volatile("r0 = 3; exit;");
}

SEC("tc") __retval(3)
NAKED int fc_depth_empty_frame(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 512) = r1; call fc_sub_no_stack; exit;" ::: __clobber_all);
}

/* The fastcall pattern: r1 spilled to the function's lowest slot and filled
 * back around the call. Its slot is gone after the rewrite: 512 + 0. */
SUB fc_sub_fastcall(void)
{
	asm volatile(
		"r1 = 40;"
		"*(u64 *)(r10 - 8) = r1;"
		"call %[bpf_get_smp_processor_id];"
		"r1 = *(u64 *)(r10 - 8);"
		"r0 = r1;"
		"exit;"
		:: __imm(bpf_get_smp_processor_id) : __clobber_all);
}

SEC("tc") __retval(40)
NAKED int fc_fastcall_spill_free(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 512) = r1; call fc_sub_fastcall; exit;" ::: __clobber_all);
}

/* Two pairs, r2 next to the call at the lowest slot, r1 above it. */
SUB fc_sub_fastcall_two(void)
{
	asm volatile(
		"r1 = 40;"
		"r2 = 2;"
		"*(u64 *)(r10 - 8) = r1;"
		"*(u64 *)(r10 - 16) = r2;"
		"call %[bpf_get_smp_processor_id];"
		"r2 = *(u64 *)(r10 - 16);"
		"r1 = *(u64 *)(r10 - 8);"
		"r0 = r1;"
		"r0 += r2;"
		"exit;"
		:: __imm(bpf_get_smp_processor_id) : __clobber_all);
}

SEC("tc") __retval(42)
NAKED int fc_fastcall_two_pairs(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 512) = r1; call fc_sub_fastcall_two; exit;" ::: __clobber_all);
}

/* Pairs must climb from the lowest slot outwards: the innermost at -8
 * with a lower spill elsewhere is no pattern. */
SUB fc_sub_fastcall_misordered(void)
{
	asm volatile(
		"r1 = 40;"
		"r2 = 2;"
		"*(u64 *)(r10 - 16) = r2;"
		"*(u64 *)(r10 - 8) = r1;"
		"call %[bpf_get_smp_processor_id];"
		"r1 = *(u64 *)(r10 - 8);"
		"r2 = *(u64 *)(r10 - 16);"
		"r0 = r1;"
		"exit;"
		:: __imm(bpf_get_smp_processor_id) : __clobber_all);
}

SEC("?tc") __failure __msg("combined stack size of 2 calls is 528. Too large")
NAKED int fc_fastcall_misordered(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 512) = r1; call fc_sub_fastcall_misordered; exit;" ::: __clobber_all);
}

/* The same pattern around a helper that is not fastcall: the slot stays. */
SUB fc_sub_not_fastcall(void)
{
	asm volatile(
		"r1 = 40;"
		"*(u64 *)(r10 - 8) = r1;"
		"call %[bpf_get_prandom_u32];"
		"r1 = *(u64 *)(r10 - 8);"
		"r0 = r1;"
		"exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("?tc") __failure __msg("combined stack size of 2 calls is 528. Too large")
NAKED int fc_not_fastcall_keeps_stack(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 512) = r1; call fc_sub_not_fastcall; exit;" ::: __clobber_all);
}

/* The region read outside the pattern: the rewrite is off, the slot stays. */
SUB fc_sub_contract_broken(void)
{
	asm volatile(
		"r1 = 40;"
		"*(u64 *)(r10 - 8) = r1;"
		"call %[bpf_get_smp_processor_id];"
		"r1 = *(u64 *)(r10 - 8);"
		"r0 = *(u64 *)(r10 - 8);"
		"exit;"
		:: __imm(bpf_get_smp_processor_id) : __clobber_all);
}

SEC("?tc") __failure __msg("combined stack size of 2 calls is 528. Too large")
NAKED int fc_contract_broken(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 512) = r1; call fc_sub_contract_broken; exit;" ::: __clobber_all);
}

/* r0 is the call's result, never part of a pattern. */
SUB fc_sub_r0_spill(void)
{
	asm volatile(
		"r0 = 40;"
		"*(u64 *)(r10 - 8) = r0;"
		"call %[bpf_get_smp_processor_id];"
		"r0 = *(u64 *)(r10 - 8);"
		"exit;"
		:: __imm(bpf_get_smp_processor_id) : __clobber_all);
}

SEC("?tc") __failure __msg("combined stack size of 2 calls is 528. Too large")
NAKED int fc_r0_is_no_pattern(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 512) = r1; call fc_sub_r0_spill; exit;" ::: __clobber_all);
}
