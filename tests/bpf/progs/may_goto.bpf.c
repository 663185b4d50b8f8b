/* may_goto: loops the verifier accepts because each turn passes a may_goto
 * (can_loop, cond_break). On x86 the kernel's budget is per call of a
 * function: 65535 turns, then renewed until 250 ms have passed since the
 * first renewal; after that every may_goto of that call jumps. */
#include "ringb_test.h"
#include "bpf_experimental.h"

/* A loop bounded by its own condition: may_goto never jumps. 0+…+99 = 4950. */
SEC("syscall") __retval(4950)
int may_goto_within_budget(void *ctx)
{
	int n = ringb_opaque(100), sum = 0;

	for (int i = 0; i < n && can_loop; i++)
		sum += i;
	return sum;
}

/* cond_break in a while(1) loop that ends by itself after 1000 turns. */
SEC("syscall") __retval(1000)
int cond_break_in_endless_loop(void *ctx)
{
	int i = 0, n = ringb_opaque(1000);

	while (1) {
		if (i == n)
			break;
		i++;
		cond_break;
	}
	return i;
}

/* The turns are counted in memory, which the verifier does not follow, so
 * that the loop's states repeat and it accepts the loop. */
volatile __u64 turns;

/* A loop with no other bound ends when the budget is spent: after more
 * than the first 65535 turns (the clock is read only then), after about
 * 250 ms. Returns 1 when it ran past the first budget and stopped. */
SEC("syscall") __retval(1)
int may_goto_budget_runs_out(void *ctx)
{
	turns = 0;
	while (can_loop)
		turns++;
	return turns > 65535;
}

/* Each call of a function has its own budget: a subprogram that spends
 * its budget leaves the caller's intact. */
static __noinline int spend_budget(int x)
{
	turns = 0;
	while (can_loop)
		turns++;
	return x + (turns > 65535);
}

SEC("syscall") __retval(3)
int may_goto_budget_per_call(void *ctx)
{
	int r = spend_budget(ringb_opaque(0));
	int sum = 0;

	/* the caller's own budget is untouched: this loop runs all 2 turns */
	for (int i = 0; i < ringb_opaque(2) && can_loop; i++)
		sum++;
	return r + sum;
}
