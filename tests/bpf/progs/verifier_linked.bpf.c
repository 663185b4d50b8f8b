/* verifier_linked: what the verifier knows about a value after it was
 * copied, moved by a constant, returned by a helper or counted by bpf_loop.
 *  - r1 = r2; r1 += K keeps r1 linked to r2 at a distance of K (the kernel's
 *    BPF_ADD_CONST): a comparison of one narrows the other;
 *  - bpf_get_stack and bpf_probe_read_kernel_str return a negative errno or
 *    at most the size they were given; bpf_get_smp_processor_id a cpu below
 *    nr_cpus (do_refine_retval_range);
 *  - bpf_loop with a known count runs its callback at most that many times;
 *  - a may_goto loop whose counter a decided branch compares is walked to
 *    its bound, not widened.
 * Kernel messages checked by tests/kernel, ringb by tests/corpus. */
#include "ringb_test.h"
#include "bpf_experimental.h"

#define NAKED __attribute__((naked))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[32]);
} vl_buf SEC(".maps");

__u8 vl_pair[2] = {3, 4};
__u8 vl_cpus[256];
long vl_longs[100];

/* r0 = r2 + 1 learns r2's bound: at most 9 + 1 = 10 bytes into a 10-byte
 * window of the 32-byte value, so the byte read at r0 - 1 stays inside. */
SEC("socket") __success __retval(0)
NAKED int vl_add_const_narrows(void)
{
	asm volatile("r6 = 0; *(u32 *)(r10 - 4) = r6;"
		     "r2 = r10; r2 += -4; r1 = %[vl_buf] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "if r0 == 0 goto 1f; r6 = r0;"
		     "call %[bpf_get_prandom_u32];"
		     "r2 = r0; r3 = r2; r3 += 22;" /* r3 = r2 + 22, linked */
		     "if r2 > 9 goto 1f;"          /* r2 <= 9, so r3 <= 31 */
		     "r1 = r6; r1 += r3; r0 = *(u8 *)(r1 + 0);"
		     "1: r0 = 0; exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32), __imm_addr(vl_buf)
		     : __clobber_all);
}

/* The other direction: a bound on the copy narrows the original, at its
 * distance: r3 = r2 + 8 <= 39 (unsigned) leaves r2 in [-8, 31]. */
SEC("?socket") __failure __msg("R1 min value is negative")
NAKED int vl_add_const_narrows_back(void)
{
	asm volatile("r6 = 0; *(u32 *)(r10 - 4) = r6;"
		     "r2 = r10; r2 += -4; r1 = %[vl_buf] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "if r0 == 0 goto 1f; r6 = r0;"
		     "call %[bpf_get_prandom_u32];"
		     "r2 = r0; r3 = r2; r3 += 8;"
		     "if r3 > 39 goto 1f;"         /* r3 <= 39, so r2 <= 31 */
		     "r1 = r6; r1 += r2; r0 = *(u8 *)(r1 + 0);"
		     "1: r0 = 0; exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32), __imm_addr(vl_buf)
		     : __clobber_all);
}

/* Two copies at distances 1 and 2 of one bounded value: the far one
 * reaches one byte past the end. */
SEC("?socket") __failure __msg("invalid access to map value, value_size=32 off=32 size=1")
NAKED int vl_add_const_two_copies(void)
{
	asm volatile("r6 = 0; *(u32 *)(r10 - 4) = r6;"
		     "r2 = r10; r2 += -4; r1 = %[vl_buf] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "if r0 == 0 goto 1f; r6 = r0; r7 = r0;"
		     "call %[bpf_get_prandom_u32];"
		     "r1 = r0; r2 = r0; r1 += 1; r2 += 2;"
		     "if r0 > 30 goto 1f;"         /* r1 <= 31 fits, r2 <= 32 does not */
		     "r6 += r1; r7 += r2;"
		     "r0 = *(u8 *)(r6 + 0);"
		     "r0 = *(u8 *)(r7 + 0);"
		     "1: r0 = 0; exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32), __imm_addr(vl_buf)
		     : __clobber_all);
}

/* A second += K ends the link: the copy keeps only what it knew. */
SEC("?socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed")
NAKED int vl_add_const_twice_unlinks(void)
{
	asm volatile("r6 = 0; *(u32 *)(r10 - 4) = r6;"
		     "r2 = r10; r2 += -4; r1 = %[vl_buf] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "if r0 == 0 goto 1f; r6 = r0;"
		     "call %[bpf_get_prandom_u32];"
		     "r2 = r0; r3 = r2; r3 += 1; r3 += 1;"
		     "if r2 > 9 goto 1f;"
		     "r1 = r6; r1 += r3; r0 = *(u8 *)(r1 + 0);"
		     "1: r0 = 0; exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32), __imm_addr(vl_buf)
		     : __clobber_all);
}

/* The typical loop clang writes with may_goto: the next index is computed
 * before the bound check on the current one. */
SEC("socket") __success __retval(0)
NAKED int vl_add_const_loop(void)
{
	asm volatile("r6 = 0; *(u32 *)(r10 - 4) = r6;"
		     "r2 = r10; r2 += -4; r1 = %[vl_buf] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "if r0 == 0 goto 2f; r6 = r0;"
		     "call %[bpf_ktime_get_ns];"
		     "if r0 > 31 goto 2f;"
		     "1: r1 = r6; r2 = r0; r1 += r2; r3 = *(u8 *)(r1 + 0);"
		     "may_goto 2f;"
		     "r0 = r2; r0 += 1;"
		     "if r2 < 31 goto 1b;"
		     "2: r0 = 0; exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm(bpf_ktime_get_ns), __imm_addr(vl_buf)
		     : __clobber_all);
}

/* bpf_get_stack returns at most its size (24 here) or an errno: 8 bytes
 * after what it wrote are still inside the 32-byte value. */
SEC("tracepoint") __success
NAKED int vl_get_stack_range(void)
{
	asm volatile("r6 = r1; r7 = 0; *(u32 *)(r10 - 4) = r7;"
		     "r2 = r10; r2 += -4; r1 = %[vl_buf] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "if r0 == 0 goto 1f; r7 = r0;"
		     "r1 = r6; r2 = r7; r3 = 24; r4 = 256;"
		     "call %[bpf_get_stack];"
		     "if r0 s< 0 goto 1f;"         /* 0 <= r0 <= 24 */
		     "r2 = r7; r2 += r0; r3 = 8;"
		     "r1 = r6; r4 = 256;"
		     "call %[bpf_get_stack];"
		     "1: r0 = 0; exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm(bpf_get_stack), __imm_addr(vl_buf)
		     : __clobber_all);
}

/* The same for a string read: at most the size given, here 16. */
SEC("kprobe") __success
int vl_probe_read_str_range(void *ctx)
{
	char s[16];
	long n = bpf_probe_read_kernel_str(s, sizeof s, ctx);

	if (n > 0)
		return s[n - 1];
	return 0;
}

/* bpf_get_smp_processor_id is below nr_cpus (at most 256 here). */
SEC("socket") __success __retval(0)
int vl_smp_processor_id_range(void *ctx)
{
	return vl_cpus[bpf_get_smp_processor_id()];
}

struct vl_count {
	__u64 i;
};

static int vl_count_cb(__u32 idx, struct vl_count *c)
{
	c->i++;
	return 0;
}

/* bpf_loop(1, ...) runs its callback once at most: i is 0 or 1. */
SEC("socket") __success __retval(4)
int vl_loop_limit_ok(void *ctx)
{
	struct vl_count c = {0};

	bpf_loop(1, vl_count_cb, &c, 0);
	return vl_pair[c.i];
}

/* bpf_loop(2, ...): i may reach 2, one past the array. */
SEC("?socket") __failure __msg("invalid access to map value, value_size=2 off=2 size=1")
int vl_loop_limit_overflow(void *ctx)
{
	struct vl_count c = {0};

	bpf_loop(2, vl_count_cb, &c, 0);
	return vl_pair[c.i];
}

/* A may_goto loop over 100 longs: the counter decides the exit, so it is
 * walked exactly, never widened. */
SEC("socket") __success __retval(0)
int vl_may_goto_counted_store(void *ctx)
{
	long i;

	for (i = 0; i < 100 && can_loop; i++)
		vl_longs[i] = i;
	return 0;
}
