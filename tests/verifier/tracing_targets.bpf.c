/* SPDX-License-Identifier: MIT */
/* fentry/fexit/lsm programs against mini_vmlinux.c's BTF, for
 * kernel_btf_test: this machine's kernel refuses fentry and lsm loads
 * (EPERM), so their verdicts are recorded in the test, after the kernel's
 * btf_ctx_access rules (fentry's arguments and fexit's return value are plain
 * PTR_TO_BTF_ID, lsm/task_free's argument is not trusted). */
#include "ringb_test.h"

struct task_struct {
	int pid;
	struct task_struct *group_leader;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

int seen;  /* fentry and fexit must return 0: what they read goes here */

/* plain: bpf_task_acquire (KF_RCU) refuses it */
SEC("fentry/find_leader")
int fentry_acquire(__u64 *ctx)
{
	struct task_struct *t = bpf_task_acquire((void *)ctx[0]);

	if (t)
		bpf_task_release(t);
	return 0;
}

/* fields of a plain pointer read as in the kernel */
SEC("fentry/find_leader")
int fentry_read(__u64 *ctx)
{
	struct task_struct *task = (void *)ctx[0];

	seen = task->pid + (int)ctx[1];
	return 0;
}

/* the return value: a plain pointer too */
SEC("fexit/find_leader")
int fexit_ret(__u64 *ctx)
{
	struct task_struct *ret = (void *)ctx[2];

	seen = ret->pid;
	return 0;
}

/* task_alloc's task is trusted */
SEC("lsm/task_alloc")
int lsm_trusted(__u64 *ctx)
{
	struct task_struct *t = bpf_task_acquire((void *)ctx[0]);

	if (t)
		bpf_task_release(t);
	return 0;
}

/* task_free's is not */
SEC("lsm/task_free")
int lsm_untrusted(__u64 *ctx)
{
	struct task_struct *t = bpf_task_acquire((void *)ctx[0]);

	if (t)
		bpf_task_release(t);
	return 0;
}

/* a function the kernel does not have */
SEC("fentry/no_such_function")
int fentry_missing(__u64 *ctx)
{
	return 0;
}
