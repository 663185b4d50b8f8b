/* SPDX-License-Identifier: MIT */
/* bpf_copy_from_user(_task): user memory read from a sleepable program (a
 * syscall program here). ringb's user memory is the host's; both kernels
 * refuse the addresses used here (below 64 KiB, or the kernel's half), so
 * the results agree: -EFAULT with the buffer zeroed, 0 for no bytes,
 * -EINVAL for flags before anything else. Non-sleepable programs and RCU
 * read sections may not call them. */
#include "ringb_test.h"
#include "bpf_objects.h"

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

static long (*copy_from_user)(void *dst, __u32 size, const void *user_ptr) = (void *)148;
static long (*copy_from_user_task)(void *dst, __u32 size, const void *user_ptr, struct task_struct *tsk,
				   __u64 flags) = (void *)191;

static int all(const char *b, int n, char v)
{
	for (int i = 0; i < n; i++)
		if (b[i] != v)
			return 0;
	return 1;
}

/* A fault zeroes the buffer: 1 (-EFAULT) + 2 (zeroed) + 4 (kernel half too). */
SEC("syscall") __retval(7)
int cfu_fault_zeroes(void *ctx)
{
	char b[16];
	int res = 0;

	__builtin_memset(b, 0x55, sizeof(b));
	res += copy_from_user(b, sizeof(b), (void *)8) == -RINGB_EFAULT;
	res += all(b, sizeof(b), 0) * 2;
	__builtin_memset(b, 0x55, sizeof(b));
	res += (copy_from_user(b, sizeof(b), (void *)0xffff888000000000ull) == -RINGB_EFAULT && all(b, sizeof(b), 0)) * 4;
	return res;
}

SEC("syscall") __retval(0)
int cfu_no_bytes(void *ctx)
{
	char b[8];

	return copy_from_user(b, 0, (void *)8);
}

/* Flags are refused first, the buffer left as it was: 1 + 2; then a fault: 4. */
SEC("syscall") __retval(7)
int cfu_task_flags_then_fault(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	char b[8];
	int res = 0;

	__builtin_memset(b, 0x55, sizeof(b));
	res += copy_from_user_task(b, sizeof(b), (void *)8, t, 1) == -RINGB_EINVAL;
	res += all(b, sizeof(b), 0x55) * 2;
	res += (copy_from_user_task(b, sizeof(b), (void *)8, t, 0) == -RINGB_EFAULT && all(b, sizeof(b), 0)) * 4;
	return res;
}

SEC("?tc") __failure __msg("helper call might sleep in a non-sleepable prog")
int cfu_not_sleepable(struct __sk_buff *skb)
{
	char b[8];

	return copy_from_user(b, sizeof(b), (void *)8);
}

SEC("?syscall") __failure __msg("sleepable helper bpf_copy_from_user#148 in rcu_read_lock region")
int cfu_under_rcu(void *ctx)
{
	char b[8];
	long r;

	bpf_rcu_read_lock();
	r = copy_from_user(b, sizeof(b), (void *)8);
	bpf_rcu_read_unlock();
	return r;
}
