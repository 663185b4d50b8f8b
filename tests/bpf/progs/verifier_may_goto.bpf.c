/* verifier_may_goto: may_goto (BPF_JMP | BPF_JCOND) as the kernel verifies
 * it (check_cond_jmp_op, is_state_visited): the walk takes the jump (the
 * budget spent) and queues the fall-through one turn deeper; a loop whose
 * only bound is may_goto converges where a turn repeats one still on the
 * path at another depth, with the scalars that decide nothing widened. The
 * instruction's fields, a loop body that fails on a later turn, a counter
 * used as an index walked turn by turn. Kernel messages checked by tests/kernel,
 * ringb by tests/corpus. */
#include "ringb_test.h"

#define NAKED __attribute__((naked))

/* A loop bounded by may_goto alone: r6 counts turns and decides nothing. */
SEC("syscall") __success
NAKED int vg_loop_converges(void)
{
	asm volatile("r6 = 0;"
		     "1: may_goto 2f; r6 += 1; goto 1b;"
		     "2: r0 = 0; exit;" ::: __clobber_all);
}

/* The counter compared in the loop: walked turn by turn to its bound. */
SEC("syscall") __success
NAKED int vg_loop_counted(void)
{
	asm volatile("r6 = 0;"
		     "1: if r6 > 100 goto 2f; may_goto 2f; r6 += 1; goto 1b;"
		     "2: r0 = 0; exit;" ::: __clobber_all);
}

/* Two may_goto loops one after the other, and one nested in another. */
SEC("syscall") __success
NAKED int vg_loops_nested(void)
{
	asm volatile("r6 = 0; r7 = 0;"
		     "1: may_goto 3f; r6 += 1;"
		     "2: may_goto 1b; r7 += 1; goto 2b;"
		     "3: may_goto 4f; r7 += 2; goto 3b;"
		     "4: r0 = 0; exit;" ::: __clobber_all);
}

/* may_goto in a static function called in a loop. */
static __attribute__((noinline, used)) int vg_spin(int x)
{
	asm volatile("1: may_goto 2f; %[x] += 1; goto 1b; 2:" : [x] "+r"(x));
	return x;
}

SEC("syscall") __success
int vg_in_subprog(void *ctx)
{
	return vg_spin(1) & 0;
}

/* may_goto +0: both ways lead to the next instruction. */
SEC("syscall") __success
NAKED int vg_offset_zero(void)
{
	asm volatile("may_goto 1f; 1: r0 = 0; exit;" ::: __clobber_all);
}

/* The fall-through is a path: r0 unset there. */
SEC("syscall") __failure __msg("R0 !read_ok")
NAKED int vg_fallthrough_checked(void)
{
	asm volatile("may_goto 1f; exit; 1: r0 = 0; exit;" ::: __clobber_all);
}

/* The jump is a path too. */
SEC("syscall") __failure __msg("R0 !read_ok")
NAKED int vg_jump_checked(void)
{
	asm volatile("may_goto 1f; r0 = 0; exit; 1: exit;" ::: __clobber_all);
}

/* The fifth turn reads a register never written. */
SEC("syscall") __failure __msg("R7 !read_ok")
NAKED int vg_later_turn_fails(void)
{
	asm volatile("r6 = 0;"
		     "1: may_goto 2f; if r6 == 5 goto 3f; r6 += 1; goto 1b;"
		     "3: r0 = r7; exit;"
		     "2: r0 = 0; exit;" ::: __clobber_all);
}

/* A counter used as a stack index decides an address: never widened, the
 * turns are walked until the index leaves the stack (fp-16 + 16). */
SEC("syscall") __failure __msg("invalid read from stack R2 off=0 size=1")
NAKED int vg_index_walked(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 8) = r1; *(u64 *)(r10 - 16) = r1; r6 = 0;"
		     "1: may_goto 2f; r6 += 1; goto 1b;"
		     "2: r2 = r10; r2 += -16; r2 += r6; r0 = *(u8 *)(r2 + 0); r0 = 0; exit;" ::: __clobber_all);
}

/* may_goto's fields: src, dst and imm must be 0. */
SEC("syscall") __failure __msg("invalid may_goto imm 1")
NAKED int vg_bad_imm(void)
{
	asm volatile(".8byte 0x00000001000000e5; r0 = 0; exit;" ::: __clobber_all);
}

/* A loop that never leaves without may_goto: the state repeats at the same
 * depth only on the jump side, which exits. */
SEC("syscall") __success
NAKED int vg_while_true(void)
{
	asm volatile("r0 = 0;"
		     "1: may_goto 2f; goto 1b;"
		     "2: exit;" ::: __clobber_all);
}

/* Without may_goto the same loop is infinite. */
SEC("syscall") __failure __msg("infinite loop detected at insn 1")
NAKED int vg_without_may_goto(void)
{
	asm volatile("r0 = 0;"
		     "1: if r0 == 0 goto 1b;"
		     "exit;" ::: __clobber_all);
}
