/* verifier_ld_abs_sub: LD_ABS and LD_IND inside functions the program calls.
 * The kernel rewrites each into a helper call and, when the load falls
 * outside the packet, an exit with r0 = 0 of the function it is in: the
 * caller gets 0 back and goes on. So
 *  - the verifier walks that early return too (a caller that reads what only
 *    the success path set is refused);
 *  - such a function must return a scalar, by its BTF (an int or an enum);
 *  - at run time the caller sees 0 and continues.
 * RAW(code, dst, src, off, imm) is one struct bpf_insn (clang has no syntax
 * for the legacy loads). Kernel verdicts checked by tests/kernel, ringb by
 * tests/corpus. */
#include "ringb_test.h"

#define RAW(code, dst, src, off, imm)                                           \
	((unsigned long long)(code) | ((unsigned long long)((src) << 4 | (dst)) << 8) | \
	 ((unsigned long long)(unsigned short)(off) << 16) |                    \
	 ((unsigned long long)(unsigned int)(imm) << 32))
#define LD_ABS_B 0x30
#define LD_ABS_W 0x20
#define LD_IND_B 0x50
#define NAKED __attribute__((naked))

/* The first byte of the packet + 1: 1 and more when the load works. */
__attribute__((noinline, used)) NAKED static int las_first_byte_plus1(void)
{
	asm volatile("r6 = r1;"
		     ".8byte %[ld];"
		     "r0 += 1;"
		     "exit;"
		     :: [ld] "i"(RAW(LD_ABS_B, 0, 0, 0, 0)));
}

/* A load far past the packet's end: always the early return. */
__attribute__((noinline, used)) NAKED static int las_far_byte(void)
{
	asm volatile("r6 = r1;"
		     ".8byte %[ld];"
		     "r0 = 5;"
		     "exit;"
		     :: [ld] "i"(RAW(LD_ABS_W, 0, 0, 0, 60000)));
}

/* LD_IND through r7 = 60000: also outside. */
__attribute__((noinline, used)) NAKED static int las_far_ind(void)
{
	asm volatile("r6 = r1;"
		     "r7 = 60000;"
		     ".8byte %[ld];"
		     "r0 = 9;"
		     "exit;"
		     :: [ld] "i"(RAW(LD_IND_B, 0, 7, 0, 0)));
}

__attribute__((noinline, used)) NAKED static void las_void_ld(void)
{
	asm volatile("r6 = r1;"
		     ".8byte %[ld];"
		     "r0 = 1;"
		     "exit;"
		     :: [ld] "i"(RAW(LD_ABS_B, 0, 0, 0, 0)));
}

/* The failed load returns 0 to the caller, which goes on: 100 + 0. */
SEC("tc") __success __retval(100)
NAKED int las_far_load_returns_zero(void)
{
	asm volatile("call las_far_byte;"
		     "r0 += 100;"
		     "exit;" ::: __clobber_all);
}

SEC("tc") __success __retval(200)
NAKED int las_far_ind_returns_zero(void)
{
	asm volatile("call las_far_ind;"
		     "r0 += 200;"
		     "exit;" ::: __clobber_all);
}

/* A load inside the packet: its byte + 1, never 0 (first byte 0x02 + 1). */
SEC("tc") __success __retval(3)
NAKED int las_near_load(void)
{
	asm volatile("call las_first_byte_plus1;"
		     "exit;" ::: __clobber_all);
}

/* r0 == 0 is reachable (the early return), and r9 was never written. */
SEC("?tc") __failure __msg("R9 !read_ok")
NAKED int las_early_return_reaches_caller(void)
{
	asm volatile("call las_first_byte_plus1;"
		     "if r0 != 0 goto 1f;"
		     "r0 = r9;"
		     "1: r0 = 0;"
		     "exit;" ::: __clobber_all);
}

/* The early return's r0 is exactly 0: a 16-byte stack window read at
 * -16 + r0 * 8 stays in bounds on both paths (r0 is 0 or 5 here, so the
 * success path reads at r10 + 24: refused). */
SEC("?tc") __failure __msg("invalid read from stack")
NAKED int las_success_path_still_checked(void)
{
	asm volatile("r6 = r1; r1 = 0; *(u64 *)(r10 - 8) = r1; *(u64 *)(r10 - 16) = r1;"
		     "r1 = r6;"
		     "call las_far_byte;"
		     "r0 <<= 3;"
		     "r1 = r10; r1 += -16; r1 += r0;"
		     "r0 = *(u64 *)(r1 + 0);"
		     "exit;" ::: __clobber_all);
}

SEC("?tc") __failure __msg("LD_ABS is only allowed in functions that return 'int'")
NAKED int las_void_function_refused(void)
{
	asm volatile("call las_void_ld;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

