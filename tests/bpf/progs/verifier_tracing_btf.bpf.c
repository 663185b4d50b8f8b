/* SPDX-License-Identifier: MIT */
/* BTF-typed arguments of tp_btf programs (the kernel's btf_ctx_access):
 * tp_btf/task_newtask's first argument is a trusted struct task_struct *,
 * its second a u64. The task and cgroup kfuncs take it or refuse it with
 * KF_TRUSTED_ARGS / KF_RCU rules, as task_kfunc_failure.c and
 * cgrp_kfunc_failure.c of the kernel's selftests check. ringb types the
 * arguments from the kernel's BTF (/sys/kernel/btf/vmlinux here, or
 * --kernel-btf), with the object's own struct layouts. */
#include "ringb_test.h"
#include "bpf_objects.h"

struct cgroup {
	int level;
} __attribute__((preserve_access_index));

struct css_set {
	struct cgroup *dfl_cgrp;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	struct task_struct *group_leader;
	struct task_struct *parent;
	const struct cpumask *cpus_ptr;
	struct css_set *cgroups;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;


SEC("tp_btf/task_newtask") __success
int acquire_release(__u64 *ctx)
{
	struct task_struct *task = (void *)ctx[0];
	struct task_struct *t = bpf_task_acquire(task);

	if (!t)
		return 0;
	bpf_task_release(t);
	return 0;
}

SEC("tp_btf/task_newtask") __success
int read_fields(__u64 *ctx)
{
	struct task_struct *task = (void *)ctx[0];

	return task->pid + (int)ctx[1];
}

SEC("tp_btf/task_newtask") __failure __msg("Possibly NULL pointer passed to trusted arg0")
int acquire_null(__u64 *ctx)
{
	struct task_struct *t = bpf_task_acquire((void *)0);

	if (!t)
		return 0;
	bpf_task_release(t);
	return 0;
}

SEC("tp_btf/task_newtask") __failure __msg("Unreleased reference")
int acquire_unreleased(__u64 *ctx)
{
	struct task_struct *task = (void *)ctx[0];
	struct task_struct *t = bpf_task_acquire(task);

	return t != 0;
}

SEC("tp_btf/task_newtask") __failure __msg("release kernel function bpf_task_release expects")
int release_unacquired(__u64 *ctx)
{
	bpf_task_release((void *)ctx[0]);
	return 0;
}

SEC("tp_btf/task_newtask") __failure __msg("Possibly NULL pointer passed to trusted arg0")
int from_pid_no_null_check(__u64 *ctx)
{
	struct task_struct *task = (void *)ctx[0];
	struct task_struct *t = bpf_task_from_pid(task->pid);

	bpf_task_release(t);
	return 0;
}

/* group_leader is in the kernel's BTF_TYPE_SAFE_RCU list: an RCU pointer
 * in a non-sleepable program, which KF_RCU kfuncs take */
SEC("tp_btf/task_newtask") __success
int acquire_walked_rcu(__u64 *ctx)
{
	struct task_struct *task = (void *)ctx[0];
	struct task_struct *t = bpf_task_acquire(task->group_leader);

	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("tp_btf/task_newtask") __failure __msg("arg#0 pointer type STRUCT task_struct must point")
int acquire_fp(__u64 *ctx)
{
	__u64 local = ctx[1];
	struct task_struct *t = bpf_task_acquire((void *)&local);

	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("tp_btf/task_newtask") __failure __msg("expected pointer to STRUCT cgroup but R1 has a pointer to STRUCT task_struct")
int cgroup_acquire_task(__u64 *ctx)
{
	struct cgroup *c = bpf_cgroup_acquire((void *)ctx[0]);

	if (c)
		bpf_cgroup_release(c);
	return 0;
}

SEC("tp_btf/task_newtask") __failure __msg("arg#0 pointer type STRUCT task_struct must point to scalar, or struct with scalar")
int acquire_scalar_arg(__u64 *ctx)
{
	struct task_struct *t = bpf_task_acquire((void *)ctx[1]);

	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("tp_btf/task_newtask") __failure __msg("func 'task_newtask' doesn't have 3-th argument")
int third_argument(__u64 *ctx)
{
	return (int)ctx[2];
}

SEC("tp_btf/task_newtask") __success
int cpumask_of_task(__u64 *ctx)
{
	struct task_struct *task = (void *)ctx[0];

	return bpf_cpumask_test_cpu(0, task->cpus_ptr);
}

/* parent is not in the list: walking to it gives a plain PTR_TO_BTF_ID */
SEC("tp_btf/task_newtask") __failure __msg("R1 must be a rcu pointer")
int acquire_walked_plain(__u64 *ctx)
{
	struct task_struct *task = (void *)ctx[0];
	struct task_struct *t = bpf_task_acquire(task->parent);

	if (t)
		bpf_task_release(t);
	return 0;
}

/* task->cgroups->dfl_cgrp: RCU pointers all the way */
SEC("tp_btf/task_newtask") __success
int cgroup_of_task(__u64 *ctx)
{
	struct task_struct *task = (void *)ctx[0];
	struct cgroup *c = bpf_cgroup_acquire(task->cgroups->dfl_cgrp);

	if (!c)
		return 0;
	bpf_cgroup_release(c);
	return 0;
}

/* a plain pointer is no trusted argument */
SEC("tp_btf/task_newtask") __failure __msg("R1 must be referenced or trusted")
int cpumask_acquire_plain(__u64 *ctx)
{
	struct task_struct *task = (void *)ctx[0];
	struct bpf_cpumask *m = bpf_cpumask_acquire((struct bpf_cpumask *)task->parent);

	if (m)
		bpf_cpumask_release(m);
	return 0;
}

/* the acquired task is released twice: after the first, a scalar */
SEC("tp_btf/task_newtask") __failure __msg("arg#0 pointer type STRUCT task_struct must point to scalar, or struct with scalar")
int release_twice(__u64 *ctx)
{
	struct task_struct *t = bpf_task_acquire((void *)ctx[0]);

	if (!t)
		return 0;
	bpf_task_release(t);
	bpf_task_release(t);
	return 0;
}

/* raw_tp programs may not call the task kfuncs at all */
SEC("raw_tp/task_newtask") __failure __msg("calling kernel function bpf_task_acquire is not allowed")
int raw_tp_scalar_arg(__u64 *ctx)
{
	struct task_struct *t = bpf_task_acquire((void *)ctx[0]);

	if (t)
		bpf_task_release(t);
	return 0;
}

/* the context itself is no cpumask: a kfunc that trusts its argument
 * refuses it at once (this machine's kernel, 6.18.44) ... */
SEC("tp_btf/task_newtask") __failure __msg("R1 must be referenced or trusted")
int cpumask_acquire_ctx(__u64 *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_acquire((struct bpf_cpumask *)ctx);

	if (m)
		bpf_cpumask_release(m);
	return 0;
}

/* ... one that only reads it under RCU reads it as memory, out of the context */
SEC("tp_btf/task_newtask") __failure __msg("invalid bpf_context access")
int cpumask_setall_ctx(__u64 *ctx)
{
	bpf_cpumask_setall((struct bpf_cpumask *)ctx);
	return 0;
}

/* a cpumask given as map memory is checked as 40 bytes of memory */
struct vt_small { struct bpf_cpumask __kptr *m; };
struct vt_big { long a[8]; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct vt_small);
} vt_small_map SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct vt_big);
} vt_big_map SEC(".maps");

SEC("tp_btf/task_newtask") __failure __msg("invalid access to map value, value_size=8 off=0 size=40")
int cpumask_setall_small_value(__u64 *ctx)
{
	int k = 0;
	struct vt_small *p = bpf_map_lookup_elem(&vt_small_map, &k);

	if (p)
		bpf_cpumask_setall((struct bpf_cpumask *)p);
	return 0;
}

SEC("tp_btf/task_newtask") __success
int cpumask_setall_big_value(__u64 *ctx)
{
	int k = 0;
	struct vt_big *p = bpf_map_lookup_elem(&vt_big_map, &k);

	if (p)
		bpf_cpumask_setall((struct bpf_cpumask *)p);
	return 0;
}
