/* jumps: every conditional jump of BPF_JMP (64-bit) and BPF_JMP32 (32-bit
 * compare), with register (BPF_X) and immediate (BPF_K) operands, each taken
 * and not taken; plus ja and compiler-generated branch trees.
 *
 * To be sure each opcode is really emitted, a jump under test is one
 * instruction of inline assembly: the operands are copied into r1/r2 and
 * J(...) yields 1 if "if r1 OP r2 goto" is taken, else 0.  The JMP32 forms
 * compare w1/w2 while r1/r2 carry junk in their high halves, which must not
 * matter.
 *
 * Operand pairs (a, b), chosen so that every op is both taken and not taken:
 *   (5, 3)  (3, 5)  (-1, 1)  (0, 0)
 * For JMP32 the same low halves are used with different high halves.  The
 * result has one bit per (pair, op), pair-major; expected values were worked
 * out independently and confirmed against the kernel. */
#include "ringb_test.h"

#define JX(cmp, a, b)							\
	({								\
		__u64 __t;						\
		asm volatile("r1 = %[x]; r2 = %[y]; %[t] = 1;"		\
			     cmp " goto 1f; %[t] = 0; 1:"		\
			     : [t] "=&r"(__t)				\
			     : [x] "r"((__u64)(a)), [y] "r"((__u64)(b))	\
			     : "r1", "r2");				\
		__t;							\
	})
#define JK(cmp, a)							\
	({								\
		__u64 __t;						\
		asm volatile("r1 = %[x]; %[t] = 1;"			\
			     cmp " goto 1f; %[t] = 0; 1:"		\
			     : [t] "=&r"(__t)				\
			     : [x] "r"((__u64)(a))			\
			     : "r1");					\
		__t;							\
	})

#define J64X(op, a, b) JX("if r1 " op " r2", a, b)
#define J32X(op, a, b) JX("if w1 " op " w2", a, b)
#define J64K(op, a, imm) JK("if r1 " op " " #imm, a)
#define J32K(op, a, imm) JK("if w1 " op " " #imm, a)

/* 7 bits: jeq jne jset jgt jge jlt jle */
#define UNSIGNED_OPS(J, a, b)						\
	(J("==", a, b) | J("!=", a, b) << 1 | J("&", a, b) << 2 |	\
	 J(">", a, b) << 3 | J(">=", a, b) << 4 | J("<", a, b) << 5 |	\
	 J("<=", a, b) << 6)
/* 4 bits: jsgt jsge jslt jsle */
#define SIGNED_OPS(J, a, b)						\
	(J("s>", a, b) | J("s>=", a, b) << 1 | J("s<", a, b) << 2 |	\
	 J("s<=", a, b) << 3)

/* JMP, registers: jeq/jne/jset/jgt/jge/jlt/jle. */
SEC("tc") __retval(170373918)
int jmp64_reg_unsigned(struct __sk_buff *skb)
{
	__u64 r = UNSIGNED_OPS(J64X, 5, 3) | UNSIGNED_OPS(J64X, 3, 5) << 7 |
		  UNSIGNED_OPS(J64X, -1, 1) << 14 | UNSIGNED_OPS(J64X, 0, 0) << 21;
	return (int)r;
}

/* JMP, registers: jsgt/jsge/jslt/jsle. */
SEC("tc") __retval(44227)
int jmp64_reg_signed(struct __sk_buff *skb)
{
	__u64 r = SIGNED_OPS(J64X, 5, 3) | SIGNED_OPS(J64X, 3, 5) << 4 |
		  SIGNED_OPS(J64X, -1, 1) << 8 | SIGNED_OPS(J64X, 0, 0) << 12;
	return (int)r;
}

/* JMP, immediates. */
SEC("tc") __retval(170373918)
int jmp64_imm_unsigned(struct __sk_buff *skb)
{
	__u64 r = UNSIGNED_OPS(J64K, 5, 3) | UNSIGNED_OPS(J64K, 3, 5) << 7 |
		  UNSIGNED_OPS(J64K, -1, 1) << 14 | UNSIGNED_OPS(J64K, 0, 0) << 21;
	return (int)r;
}

SEC("tc") __retval(44227)
int jmp64_imm_signed(struct __sk_buff *skb)
{
	__u64 r = SIGNED_OPS(J64K, 5, 3) | SIGNED_OPS(J64K, 3, 5) << 4 |
		  SIGNED_OPS(J64K, -1, 1) << 8 | SIGNED_OPS(J64K, 0, 0) << 12;
	return (int)r;
}

/* JMP32, registers whose high halves differ from what the low halves say
 * (a 64-bit compare would give 214414110). */
SEC("tc") __retval(170373918)
int jmp32_reg_unsigned(struct __sk_buff *skb)
{
	__u64 r = UNSIGNED_OPS(J32X, 0xdead00000005ull, 3) |
		  UNSIGNED_OPS(J32X, 3, 0xbeef00000005ull) << 7 |
		  UNSIGNED_OPS(J32X, 0x1ffffffffull, 1) << 14 |
		  UNSIGNED_OPS(J32X, 0x500000000ull, 0x700000000ull) << 21;
	return (int)r;
}

/* (a 64-bit compare would give 50115) */
SEC("tc") __retval(44227)
int jmp32_reg_signed(struct __sk_buff *skb)
{
	__u64 r = SIGNED_OPS(J32X, 0xdead00000005ull, 3) |
		  SIGNED_OPS(J32X, 3, 0xbeef00000005ull) << 4 |
		  SIGNED_OPS(J32X, 0x1ffffffffull, 1) << 8 |
		  SIGNED_OPS(J32X, 0x500000000ull, 0x700000000ull) << 12;
	return (int)r;
}

/* JMP32, immediates, junk in the high half of the register. */
SEC("tc") __retval(170373918)
int jmp32_imm_unsigned(struct __sk_buff *skb)
{
	__u64 r = UNSIGNED_OPS(J32K, 0xdead00000005ull, 3) |
		  UNSIGNED_OPS(J32K, 0xbeef00000003ull, 5) << 7 |
		  UNSIGNED_OPS(J32K, 0x1ffffffffull, 1) << 14 |
		  UNSIGNED_OPS(J32K, 0x500000000ull, 0) << 21;
	return (int)r;
}

SEC("syscall") __retval(44227)
int jmp32_imm_signed(void *ctx)
{
	__u64 r = SIGNED_OPS(J32K, 0xdead00000005ull, 3) |
		  SIGNED_OPS(J32K, 0xbeef00000003ull, 5) << 4 |
		  SIGNED_OPS(J32K, 0x1ffffffffull, 1) << 8 |
		  SIGNED_OPS(J32K, 0x500000000ull, 0) << 12;
	return (int)r;
}

/* A JMP immediate is sign-extended to 64 bits, a JMP32 one compares with
 * the low half:
 *   bit0 r = 2^64-1,  "r1 == -1"  taken
 *   bit1 r = 2^32-1,  "r1 == -1"  not taken
 *   bit2 r = 2^32-1,  "w1 == -1"  taken
 *   bit3 r = 2^33-1,  "w1 == -1"  taken
 *   bit4 r = 2^64-1,  "r1 > -2"   taken (unsigned vs 2^64-2)
 *   bit5 r = 2^32-1,  "r1 > -2"   not taken */
SEC("tc") __retval(29)
int jmp_imm_sign_extension(struct __sk_buff *skb)
{
	__u64 r = JK("if r1 == -1", ~0ull) |
		  JK("if r1 == -1", 0xffffffffull) << 1 |
		  JK("if w1 == -1", 0xffffffffull) << 2 |
		  JK("if w1 == -1", 0x1ffffffffull) << 3 |
		  JK("if r1 > -2", ~0ull) << 4 |
		  JK("if r1 > -2", 0xffffffffull) << 5;
	return (int)r;
}

static __always_inline int classify(__s64 v)
{
	if (v < -100)
		return 1;
	if (v < 0)
		return 2;
	if (v == 0)
		return 3;
	if (v <= 100)
		return 4;
	return 5;
}

/* Compiler-generated signed compare chains: classify(-1000, -5, 0, 50,
 * 1000) = 1, 2, 3, 4, 5, returned as decimal digits. */
SEC("tc") __retval(54321)
int jmp_c_classify(struct __sk_buff *skb)
{
	return classify(ringb_opaque(-1000ll)) + classify(ringb_opaque(-5ll)) * 10 +
	       classify(ringb_opaque(0ll)) * 100 + classify(ringb_opaque(50ll)) * 1000 +
	       classify(ringb_opaque(1000ll)) * 10000;
}

static __always_inline int pick(__u32 k)
{
	switch (k) {
	case 1: return 11;
	case 2: return 22;
	case 3: return 33;
	case 10: return 44;
	case 100: return 55;
	case 1000: return 66;
	default: return 77;
	}
}

/* A switch: clang lowers it to a tree of conditional jumps and ja (BPF has
 * no indirect jump here): pick(1) + pick(3) + pick(100) + pick(1000) +
 * pick(7) = 11 + 33 + 55 + 66 + 77. */
SEC("tc") __retval(242)
int jmp_c_switch(struct __sk_buff *skb)
{
	return pick(ringb_opaque(1u)) + pick(ringb_opaque(3u)) + pick(ringb_opaque(100u)) +
	       pick(ringb_opaque(1000u)) + pick(ringb_opaque(7u));
}

/* Unsigned vs signed C comparisons of the same bits: 0xffffffff is the
 * largest u32 but -1 as s32; same for 64 bits.  Bits:
 *   (u32)x > 1, (s32)x > 1, (u64)y > 1, (s64)y > 1  ->  1, 0, 1, 0 -> 5. */
SEC("tc") __retval(5)
int jmp_c_signedness(struct __sk_buff *skb)
{
	__u32 x = ringb_opaque(0xffffffffu);
	__u64 y = ringb_opaque(~0ull);
	int r = 0;

	if (x > ringb_opaque(1u))
		r |= 1;
	if ((__s32)x > ringb_opaque(1))
		r |= 2;
	if (y > ringb_opaque(1ull))
		r |= 4;
	if ((__s64)y > ringb_opaque(1ll))
		r |= 8;
	return r;
}
