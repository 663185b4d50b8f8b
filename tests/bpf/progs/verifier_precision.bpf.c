/* verifier_precision: precision tracking (precision.cc). Scalars no path
 * needs exactly compare as equal where paths join; one that reaches a
 * decision (here a map value offset) is marked precise back through the
 * instructions and states it came from — a move, an ALU op, a spill and
 * fill, a static function's argument, a checkpoint in between — so the
 * path that joins with the unsafe value is not pruned and is refused, as
 * the kernel refuses it. And a nested loop whose accumulator is compared
 * both ways, which verifies only with precision (imprecise accumulators
 * let the iterations prune). Kernel messages checked by tests/kernel,
 * ringb by tests/corpus. */
#include "ringb_test.h"

#define NAKED __attribute__((naked))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vpr_arr SEC(".maps");

/* r6 is 8 on the jump's path, 0 on the fall-through, which is walked
 * first; after the join, enough instructions and jumps for a checkpoint
 * that the jump's path, with r6 = 8, meets. */
#define SPLIT \
	"call %[bpf_get_prandom_u32];" \
	"r6 = 8;" \
	"if r0 > 5 goto 1f;" \
	"r6 = 0;" \
	"r8 = 0;" \
	"r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1;" \
	"if r8 > 10 goto 1f;" \
	"if r8 > 11 goto 1f;" \
	"1:" \
	"r8 = 0;" \
	"r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1;" \
	"if r8 > 100 goto +0;" \
	"if r8 > 101 goto +0;"

#define LOOKUP \
	"*(u32 *)(r10 - 4) = 0;" \
	"r2 = r10;" \
	"r2 += -4;" \
	"r1 = %[vpr_arr] ll;" \
	"call %[bpf_map_lookup_elem];" \
	"if r0 == 0 goto 2f;"

#define ARGS __imm(bpf_get_prandom_u32), __imm(bpf_map_lookup_elem), __imm_addr(vpr_arr)

SEC("tc") __failure __msg("invalid access to map value, value_size=8 off=8 size=8")
NAKED int vpr_offset_direct(void)
{
	asm volatile(SPLIT LOOKUP
		     "r0 += r6;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "2: r0 = 0; exit;" :: ARGS : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=8 off=8 size=8")
NAKED int vpr_offset_through_mov_alu(void)
{
	asm volatile(SPLIT LOOKUP
		     "r7 = r6;"
		     "r9 = 0;"
		     "r9 += r7;"
		     "r0 += r9;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "2: r0 = 0; exit;" :: ARGS : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=8 off=8 size=8")
NAKED int vpr_offset_through_spill_fill(void)
{
	/* the offsets are spilled on both ways, r6 is the same at the join */
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = 8;"
		     "*(u64 *)(r10 - 16) = r6;"
		     "if r0 > 5 goto 1f;"
		     "r6 = 0;"
		     "*(u64 *)(r10 - 16) = r6;"
		     "r8 = 0;"
		     "r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1;"
		     "if r8 > 10 goto 1f;"
		     "if r8 > 11 goto 1f;"
		     "1: r6 = 0;"
		     "r8 = 0;"
		     "r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1;"
		     "if r8 > 100 goto +0;"
		     "if r8 > 101 goto +0;"
		     LOOKUP
		     "r7 = *(u64 *)(r10 - 16);"
		     "r0 += r7;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "2: r0 = 0; exit;" :: ARGS : __clobber_all);
}

static __attribute__((noinline, naked, used)) void vpr_add_and_load(void)
{
	/* r1: offset, r2: a map value */
	asm volatile("r2 += r1;"
		     "r0 = *(u64 *)(r2 + 0);"
		     "exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=8 off=8 size=8")
NAKED int vpr_offset_through_call(void)
{
	asm volatile(SPLIT LOOKUP
		     "r1 = r6;"
		     "r2 = r0;"
		     "call vpr_add_and_load;"
		     "2: r0 = 0; exit;" :: ARGS : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=8 off=8 size=8")
NAKED int vpr_offset_through_checkpoints(void)
{
	/* more checkpoints between the join and the use */
	asm volatile(SPLIT
		     "r7 = r6;"
		     "r8 = 0;"
		     "r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1;"
		     "if r8 > 10 goto 3f;"
		     "3: if r8 > 11 goto 4f;"
		     "4: r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1;"
		     "if r8 > 20 goto 5f;"
		     "5: if r8 > 21 goto 6f;"
		     "6:"
		     LOOKUP
		     "r0 += r7;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "2: r0 = 0; exit;" :: ARGS : __clobber_all);
}

/* The same joins with a value nothing decides on: both are accepted. */
SEC("tc") __success
NAKED int vpr_offset_safe_both_ways(void)
{
	asm volatile(SPLIT LOOKUP
		     "r6 &= 0;"
		     "r0 += r6;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "2: r0 = 0; exit;" :: ARGS : __clobber_all);
}

/* 32 x 32 iterations; the accumulator is compared against a fresh unknown
 * each time, so both ways are walked and no branch decision needs its
 * value: imprecise, the two ways of one iteration join into one state
 * (the kernel: about 20 k instructions; every scalar precise: past 1 M). */
SEC("tc") __success
int vpr_nested_loop_accumulator(struct __sk_buff *skb)
{
	__u32 acc = 1;

	for (int i = 0; i < 32; i++)
		for (int j = 0; j < 32; j++) {
			if (acc > bpf_get_prandom_u32())
				acc = (acc >> 1) | 1;
			else
				acc += 2;
		}
	return acc & 1;
}
