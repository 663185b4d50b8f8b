/* SPDX-License-Identifier: MIT */
/* A kernel BTF of a few types, for kernel_btf_test: compiled with clang -g,
 * its .BTF declares a tracepoint's typedef, an fentry/fexit target, an LSM
 * hook and the structs they use, so the tests need no vmlinux of the machine. */
typedef unsigned long long u64;

struct cpumask { unsigned long bits[2]; };
struct kernfs_node { int id; };
struct cgroup { int level; struct kernfs_node *kn; };
struct css_set { struct cgroup *dfl_cgrp; };
struct task_struct {
	int pid;
	struct task_struct *group_leader;
	struct task_struct *parent;
	const struct cpumask *cpus_ptr;
	struct css_set *cgroups;
	char comm[16];
};

typedef void (*btf_trace_task_newtask)(void *, struct task_struct *, u64);
btf_trace_task_newtask tp_task_newtask;

/* fentry/fexit targets and LSM hooks: functions in the BTF */
struct task_struct *find_leader(struct task_struct *task, int depth)
{
	return depth ? task->group_leader : task;
}

int bpf_lsm_task_free(struct task_struct *task) { return task->pid; }
int bpf_lsm_task_alloc(struct task_struct *task, unsigned long clone_flags) { return task->pid + (int)clone_flags; }
