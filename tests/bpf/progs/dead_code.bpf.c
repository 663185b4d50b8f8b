/* dead_code: instructions the kernel's verifier proves unreachable are never
 * checked by it, and never run. A write to the read-only frame pointer r10
 * there is accepted (the kernel refuses it only where its walk arrives), so
 * ringb must load such a program too, and it must not stop the run.
 * The branches depend on constants the verifier tracks, not on input. */
#include "ringb_test.h"

SEC("tc") __retval(1)
__attribute__((naked)) int dead_mov_to_r10(void)
{
	asm volatile("r1 = 5;"
		     "if r1 > 4 goto 1f;"
		     "r10 = 0;"
		     "1: r0 = 1;"
		     "exit;");
}

/* After `r2 &= 7`, r2 < 8 always: the store through a moved r10 is dead. */
SEC("tc") __retval(3)
__attribute__((naked)) int dead_add_to_r10_after_bounds(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "r2 &= 7;"
		     "r0 = 3;"
		     "if r2 < 8 goto 1f;"
		     "r10 += 8;"
		     "*(u64 *)(r10 - 8) = r0;"
		     "1: exit;");
}

/* 32-bit bounds: w3 = 0x10 then `if w3 != 0x10` is never taken. */
SEC("tc") __retval(16)
__attribute__((naked)) int dead_ldx_into_r10(void)
{
	asm volatile("w3 = 0x10;"
		     "r0 = r3;"
		     "if w3 != 0x10 goto 1f;"
		     "exit;"
		     "1: r10 = *(u64 *)(r1 + 0);"
		     "exit;");
}
