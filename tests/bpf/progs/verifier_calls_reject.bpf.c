/* verifier_calls_reject: bpf-to-bpf calls, callbacks and the code's shape —
 * what a callee may read (r1-r5 only), what the caller keeps (r6-r9, r0),
 * the stack across frames, call depth, recursion, unknown helpers, bpf_loop
 * callbacks' arguments and return range, jumps out of the program or into
 * an ld_imm64, a last instruction that is not an exit.
 * Kernel messages checked by tests/kernel, ringb by tests/corpus. */
#include "ringb_test.h"

#define NAKED __attribute__((naked))
#define SUB __attribute__((naked, noinline, used)) static int

SUB vk_sub_no_r0(void) { asm volatile("exit;"); }

SEC("tc") __failure __msg("R0 !read_ok")
NAKED int vk_callee_leaves_r0(void)
{
	asm volatile("call vk_sub_no_r0; exit;" ::: __clobber_all);
}

SUB vk_sub_reads_r6(void) { asm volatile("r0 = r6; exit;"); }

SEC("tc") __failure __msg("R6 !read_ok")
NAKED int vk_callee_reads_r6(void)
{
	asm volatile("r6 = 1; call vk_sub_reads_r6; exit;" ::: __clobber_all);
}

SUB vk_sub_ret0(void) { asm volatile("r0 = 0; exit;"); }

SEC("tc") __failure __msg("R1 !read_ok")
NAKED int vk_r1_clobbered_by_call(void)
{
	asm volatile("r1 = 1; call vk_sub_ret0; r0 = r1; exit;" ::: __clobber_all);
}

SEC("tc") __success
NAKED int vk_r6_kept_across_call(void)
{
	asm volatile("r6 = 1; call vk_sub_ret0; r0 = r6; exit;" ::: __clobber_all);
}

SUB vk_sub_big_stack(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 512) = r1; r0 = 0; exit;");
}

SEC("tc") __failure __msg("combined stack size of 2 calls is 1024. Too large")
NAKED int vk_combined_stack_too_large(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 512) = r1; call vk_sub_big_stack; r0 = 0; exit;" ::: __clobber_all);
}

SUB vk_sub_recursive(void) { asm volatile("call vk_sub_recursive; r0 = 0; exit;"); }

SEC("tc") __failure __msg("the call stack of 9 frames is too deep")
NAKED int vk_recursion(void)
{
	asm volatile("call vk_sub_recursive; r0 = 0; exit;" ::: __clobber_all);
}

SUB vk_d8(void) { asm volatile("r0 = 0; exit;"); }
SUB vk_d7(void) { asm volatile("call vk_d8; exit;"); }
SUB vk_d6(void) { asm volatile("call vk_d7; exit;"); }
SUB vk_d5(void) { asm volatile("call vk_d6; exit;"); }
SUB vk_d4(void) { asm volatile("call vk_d5; exit;"); }
SUB vk_d3(void) { asm volatile("call vk_d4; exit;"); }
SUB vk_d2(void) { asm volatile("call vk_d3; exit;"); }
SUB vk_d1(void) { asm volatile("call vk_d2; exit;"); }

SEC("tc") __failure __msg("the call stack of 9 frames is too deep")
NAKED int vk_nine_frames(void)
{
	asm volatile("call vk_d1; exit;" ::: __clobber_all);
}

SEC("tc") __success
NAKED int vk_eight_frames(void)
{
	asm volatile("call vk_d2; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("invalid func unknown#9999")
NAKED int vk_unknown_helper(void)
{
	asm volatile("call 9999; r0 = 0; exit;" ::: __clobber_all);
}

/* ja +5 from insn 1: past the end */
SEC("tc") __failure __msg("jump out of range from insn 1 to 7")
NAKED int vk_jump_past_end(void)
{
	asm volatile("r0 = 0; .8byte 0x0000000000050005; exit;" ::: __clobber_all);
}

/* ja -3 from insn 1: before the start */
SEC("tc") __failure __msg("jump out of range from insn 1 to -1")
NAKED int vk_jump_before_start(void)
{
	asm volatile("r0 = 0; .8byte 0x00000000fffd0005; exit;" ::: __clobber_all);
}

/* ja +1 from insn 0 lands on the second half of the ld_imm64 at 1 */
SEC("tc") __failure __msg("unreachable insn 1")
NAKED int vk_jump_into_ld_imm64(void)
{
	asm volatile(".8byte 0x0000000000010005; r0 = 0x100000000 ll; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("last insn is not an exit or jmp")
NAKED int vk_no_exit_at_end(void)
{
	asm volatile("r0 = 0; exit; r0 = 1;" ::: __clobber_all);
}

SUB vk_cb_ret5(void) { asm volatile("r0 = 5; exit;"); }

SEC("tc") __failure __msg("At callback return the register R0 has smin=5 smax=5 should have been in [0, 1]")
NAKED int vk_loop_cb_bad_return(void)
{
	asm volatile("r1 = 2;"
		     "r2 = vk_cb_ret5 ll;"
		     "r3 = 0;"
		     "r4 = 0;"
		     "call %[bpf_loop];"
		     "r0 = 0; exit;" :: __imm(bpf_loop) : __clobber_all);
}

SUB vk_cb_ret1(void) { asm volatile("r0 = 1; exit;"); }

SEC("tc") __success
NAKED int vk_loop_cb_returns_one(void)
{
	asm volatile("r1 = 2;"
		     "r2 = vk_cb_ret1 ll;"
		     "r3 = 0;"
		     "r4 = 0;"
		     "call %[bpf_loop];"
		     "r0 = 0; exit;" :: __imm(bpf_loop) : __clobber_all);
}

SEC("tc") __failure __msg("R2 type=scalar expected=func")
NAKED int vk_loop_cb_not_func(void)
{
	asm volatile("r1 = 2; r2 = 0; r3 = 0; r4 = 0; call %[bpf_loop]; r0 = 0; exit;"
		     :: __imm(bpf_loop) : __clobber_all);
}

/* flags other than 0 are refused when it runs (-EINVAL), not verified */
SEC("tc") __success
NAKED int vk_loop_flags_nonzero(void)
{
	asm volatile("r1 = 2;"
		     "r2 = vk_cb_ret1 ll;"
		     "r3 = 0;"
		     "r4 = 1;"
		     "call %[bpf_loop];"
		     "r0 = 0; exit;" :: __imm(bpf_loop) : __clobber_all);
}

SUB vk_cb_reads_r6(void) { asm volatile("r0 = r6; r0 = 0; exit;"); }

SEC("tc") __failure __msg("R6 !read_ok")
NAKED int vk_loop_cb_reads_r6(void)
{
	asm volatile("r6 = 0;"
		     "r1 = 2;"
		     "r2 = vk_cb_reads_r6 ll;"
		     "r3 = 0;"
		     "r4 = 0;"
		     "call %[bpf_loop];"
		     "r0 = 0; exit;" :: __imm(bpf_loop) : __clobber_all);
}

SUB vk_sub_returns_fp(void) { asm volatile("r0 = r10; r0 += -8; exit;"); }

SEC("tc") __failure __msg("cannot return stack pointer to the caller")
NAKED int vk_callee_returns_its_stack(void)
{
	asm volatile("call vk_sub_returns_fp; r0 = *(u64 *)(r0 + 0); r0 = 0; exit;" ::: __clobber_all);
}

SUB vk_sub_writes_arg(void) { asm volatile("r2 = 0; *(u64 *)(r1 + 0) = r2; r0 = 0; exit;"); }

SEC("tc") __success
NAKED int vk_callee_writes_caller_stack(void)
{
	asm volatile("r1 = r10; r1 += -8; call vk_sub_writes_arg; r0 = *(u64 *)(r10 - 8); exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R1 invalid mem access 'scalar'")
NAKED int vk_callee_writes_scalar_arg(void)
{
	asm volatile("r1 = 0; call vk_sub_writes_arg; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("jump out of range from insn 1 to 257")
NAKED int vk_jump_to_self(void)
{
	asm volatile("r0 = 0; .8byte 0x0000000000ff0005; exit;" ::: __clobber_all);
}

/* A callback pointer moved off its function's start (a soundness mutant
 * made bpf_loop call into the middle of one). */
SEC("tc") __failure __msg("dereference of modified func ptr R2 off=8 disallowed")
NAKED int vk_loop_cb_moved(void)
{
	asm volatile("r1 = 2;"
		     "r2 = vk_cb_ret1 ll;"
		     "r2 += 8;"
		     "r3 = 0;"
		     "r4 = 0;"
		     "call %[bpf_loop];"
		     "r0 = 0; exit;" :: __imm(bpf_loop) : __clobber_all);
}

SEC("tc") __failure __msg("negative offset func ptr R2 off=-8 disallowed")
NAKED int vk_loop_cb_moved_back(void)
{
	asm volatile("r1 = 2;"
		     "r2 = vk_cb_ret1 ll;"
		     "r2 += -8;"
		     "r3 = 0;"
		     "r4 = 0;"
		     "call %[bpf_loop];"
		     "r0 = 0; exit;" :: __imm(bpf_loop) : __clobber_all);
}

/* A global function is checked on its own, from its BTF: its caller must
 * pass what the signature promises (a soundness mutant passed a packet byte
 * where the context goes). */
struct vk_pair { long a, b; };

__noinline int vk_global_len(struct __sk_buff *skb)
{
	return skb ? skb->len : 0;
}

__noinline int vk_global_pair_sum(struct vk_pair *p)
{
	return p ? p->a + p->b : 0;
}

SEC("tc") __failure __msg("arg#0 expects pointer to ctx")
NAKED int vk_global_ctx_from_scalar(void)
{
	asm volatile("r1 = 7; call vk_global_len; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("invalid read from stack")
NAKED int vk_global_mem_too_small(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 8) = r1;"
		     "r1 = r10; r1 += -8;"
		     "call vk_global_pair_sum; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R1 type=scalar expected=fp")
NAKED int vk_global_mem_from_scalar(void)
{
	asm volatile("r1 = 8; call vk_global_pair_sum; exit;" ::: __clobber_all);
}

SEC("tc") __success
NAKED int vk_global_mem_null_or_stack(void)
{
	asm volatile("r1 = 0; call vk_global_pair_sum;"
		     "r1 = 0; *(u64 *)(r10 - 8) = r1; *(u64 *)(r10 - 16) = r1;"
		     "r1 = r10; r1 += -16;"
		     "call vk_global_pair_sum; exit;" ::: __clobber_all);
}
