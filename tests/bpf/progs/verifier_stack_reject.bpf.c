/* verifier_stack_reject: the stack — accesses outside the 512-byte frame,
 * through copies of the frame pointer with constant and variable offsets,
 * spilled pointers overwritten in part, sizes helpers read or write past
 * the frame, and the accepted edges (the lowest slot, spills filled whole).
 * Kernel messages checked by tests/kernel, ringb by tests/corpus. */
#include "ringb_test.h"

#define NAKED __attribute__((naked))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vs_arr SEC(".maps");

SEC("tc") __failure __msg("invalid read from stack R10 off=8 size=8")
NAKED int vs_read_above_frame(void)
{
	asm volatile("r0 = *(u64 *)(r10 + 8); r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("invalid read from stack R10 off=-513 size=1")
NAKED int vs_read_below_frame(void)
{
	asm volatile("r0 = *(u8 *)(r10 - 513); r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __success
NAKED int vs_lowest_byte(void)
{
	asm volatile("r1 = 0; *(u8 *)(r10 - 512) = r1; r0 = *(u8 *)(r10 - 512); exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("misaligned stack access off 0+-516+0 size 8")
NAKED int vs_copy_below_frame(void)
{
	asm volatile("r1 = r10; r1 += -516; r2 = 0; *(u64 *)(r1 + 0) = r2; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("invalid write to stack R1 off=4 size=4")
NAKED int vs_copy_above_frame(void)
{
	asm volatile("r1 = r10; r1 += 4; r2 = 0; *(u32 *)(r1 + 0) = r2; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("misaligned stack access off 0+0+-4 size 8")
NAKED int vs_straddles_top(void)
{
	asm volatile("r2 = 0; *(u64 *)(r10 - 4) = r2; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("invalid unbounded variable-offset write to stack R1")
NAKED int vs_var_offset_unbounded(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "r1 = r10;"
		     "r1 += r2;"
		     "r3 = 0;"
		     "*(u8 *)(r1 + 0) = r3;"
		     "r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("invalid variable-offset write to stack R1 var_off=(0x0; 0xf) off=-8 size=1")
NAKED int vs_var_offset_above(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "r2 &= 15;"
		     "r1 = r10;"
		     "r1 += -8;"
		     "r1 += r2;"
		     "r3 = 0;"
		     "*(u8 *)(r1 + 0) = r3;"
		     "r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __success
NAKED int vs_var_offset_inside(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "r2 &= 7;"
		     "r1 = r10;"
		     "r1 += -8;"
		     "r1 += r2;"
		     "r3 = 0;"
		     "*(u8 *)(r1 + 0) = r3;"
		     "r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R1 invalid mem access 'scalar'")
NAKED int vs_spilled_ptr_byte_overwritten(void)
{
	asm volatile("*(u64 *)(r10 - 8) = r1;"
		     "r2 = 0;"
		     "*(u8 *)(r10 - 8) = r2;"
		     "r1 = *(u64 *)(r10 - 8);"
		     "r0 = *(u32 *)(r1 + 0);"
		     "r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __success
NAKED int vs_spilled_ctx_filled(void)
{
	asm volatile("*(u64 *)(r10 - 8) = r1;"
		     "r1 = 0;"
		     "r1 = *(u64 *)(r10 - 8);"
		     "r0 = *(u32 *)(r1 + 0);"
		     "r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("misaligned stack access off 0+0+-12 size 8")
NAKED int vs_spill_misaligned_ptr(void)
{
	asm volatile("*(u64 *)(r10 - 12) = r1; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("invalid read from stack R2 off=-2 size=4")
NAKED int vs_helper_key_past_top(void)
{
	asm volatile("r2 = r10;"
		     "r2 += -2;"
		     "r1 = %[vs_arr] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vs_arr) : __clobber_all);
}

SEC("tc") __failure __msg("invalid write to stack R1 off=-8 size=16")
NAKED int vs_helper_buf_past_top(void)
{
	asm volatile("r1 = r10;"
		     "r1 += -8;"
		     "r2 = 16;"
		     "call %[bpf_get_current_comm];"
		     "r0 = 0; exit;"
		     :: __imm(bpf_get_current_comm) : __clobber_all);
}

SEC("tc") __failure __msg("invalid write to stack R1 off=-520 size=16")
NAKED int vs_helper_buf_below_frame(void)
{
	asm volatile("r1 = r10;"
		     "r1 += -520;"
		     "r2 = 16;"
		     "call %[bpf_get_current_comm];"
		     "r0 = 0; exit;"
		     :: __imm(bpf_get_current_comm) : __clobber_all);
}

SEC("tc") __failure __msg("R2 invalid zero-sized read: u64=[0,4294967295]")
NAKED int vs_helper_var_size_unbounded(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "r1 = r10;"
		     "r1 += -64;"
		     "call %[bpf_get_current_comm];"
		     "r0 = 0; exit;"
		     :: __imm(bpf_get_current_comm) : __clobber_all);
}

SEC("tc") __failure __msg("R2 invalid zero-sized read: u64=[0,127]")
NAKED int vs_helper_var_size_too_big(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "r2 &= 127;"
		     "r1 = r10;"
		     "r1 += -64;"
		     "call %[bpf_get_current_comm];"
		     "r0 = 0; exit;"
		     :: __imm(bpf_get_current_comm) : __clobber_all);
}

SEC("tc") __success
NAKED int vs_helper_var_size_fits(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "r2 &= 63;"
		     "r2 += 1;"
		     "r1 = r10;"
		     "r1 += -64;"
		     "call %[bpf_get_current_comm];"
		     "r0 = 0; exit;"
		     :: __imm(bpf_get_current_comm) : __clobber_all);
}

SEC("tc") __failure __msg("R1 invalid mem access 'scalar'")
NAKED int vs_fp_arith_alu32(void)
{
	asm volatile("w1 = w10; w1 += -8; r2 = 0; *(u64 *)(r1 + 0) = r2; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("frame pointer is read only")
NAKED int vs_fp_write(void)
{
	asm volatile("r10 += -8; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("invalid read from stack R10 off=0 size=8")
NAKED int vs_atomic_above_frame(void)
{
	asm volatile("r2 = 1; lock *(u64 *)(r10 + 0) += r2; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __success
NAKED int vs_atomic_on_spilled_ptr(void)
{
	asm volatile("*(u64 *)(r10 - 8) = r1;"
		     "r2 = 1;"
		     "lock *(u64 *)(r10 - 8) += r2;"
		     "r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R1 pointer arithmetic with *= operator prohibited")
NAKED int vs_stack_ptr_deref_scalar_after_mul(void)
{
	asm volatile("r1 = r10; r1 *= 2; r0 = *(u64 *)(r1 + 0); r0 = 0; exit;" ::: __clobber_all);
}

/* A zero-sized helper access still has its stack pointer's bounds checked:
 * an offset in [-16, 48) may point above the frame. */
SEC("socket") __failure __msg("invalid variable-offset write to stack R1 var_off=(0x0; 0xffffffffffffffff) off=0 size=0")
NAKED int vs_zero_size_var_off_above_frame(void)
{
	asm volatile("r0 = 0;"
		     "*(u64 *)(r10 - 16) = r0;"
		     "*(u64 *)(r10 - 8) = r0;"
		     "r1 = *(u32 *)(r1 + 0);"
		     "r1 &= 63;"
		     "r1 += -16;"
		     "r1 += r10;"
		     "r2 = 0;"
		     "r3 = 0;"
		     "call %[bpf_probe_read_kernel];"
		     "r0 = 0; exit;"
		     :: __imm(bpf_probe_read_kernel) : __clobber_all);
}

/* …and one whose offsets all lie in the frame passes. */
SEC("socket") __success
NAKED int vs_zero_size_var_off_in_frame(void)
{
	asm volatile("r0 = 0;"
		     "*(u64 *)(r10 - 16) = r0;"
		     "*(u64 *)(r10 - 8) = r0;"
		     "r1 = *(u32 *)(r1 + 0);"
		     "r1 &= 7;"
		     "r1 += -16;"
		     "r1 += r10;"
		     "r2 = 0;"
		     "r3 = 0;"
		     "call %[bpf_probe_read_kernel];"
		     "r0 = 0; exit;"
		     :: __imm(bpf_probe_read_kernel) : __clobber_all);
}
