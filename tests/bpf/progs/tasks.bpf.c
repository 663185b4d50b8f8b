/* SPDX-License-Identifier: MIT */
/* Tasks and cgroups from a tc program (root may call the task helpers and
 * kfuncs there): the current task is the calling thread, with the pid, tgid
 * and comm bpf_get_current_pid_tgid and bpf_get_current_comm give; it can
 * be acquired, found again by pid, and released; the root cgroup has id 1.
 * struct task_struct is declared with only the fields used: CO-RE relocates
 * them to the kernel's offsets, and ringb lays its task records out as this
 * object's BTF says. */
#include "ringb_test.h"

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
} __attribute__((preserve_access_index));

struct cgroup {
	int level;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

SEC("tc") __retval(1)
int current_task_ids(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_pid_tgid();

	return t->pid == (__u32)id && t->tgid == id >> 32;
}

SEC("tc") __retval(1)
int current_task_comm(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_get_current_task_btf();
	char comm[16];
	int i;

	if (bpf_get_current_comm(comm, sizeof(comm)))
		return -1;
	for (i = 0; i < 16; i++) {
		if (t->comm[i] != comm[i])
			return 0;
		if (!comm[i])
			break;
	}
	return 1;
}

/* bpf_get_current_task gives the same task, as a number */
SEC("tc") __retval(1)
int current_task_number(struct __sk_buff *skb)
{
	return bpf_get_current_task() == (__u64)bpf_get_current_task_btf();
}

SEC("tc") __retval(1)
int task_acquire_release(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_task_acquire(bpf_get_current_task_btf());

	if (!t)
		return 0;
	bpf_task_release(t);
	return 1;
}

/* the current thread is found by its pid; pid 0 and -1 are none */
SEC("tc") __retval(1)
int task_from_pid(struct __sk_buff *skb)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct task_struct *t = bpf_task_from_pid(cur->pid);
	int same;

	if (!t)
		return 0;
	same = t->pid == cur->pid;
	bpf_task_release(t);
	t = bpf_task_from_pid(-1);
	if (t) {
		bpf_task_release(t);
		return 2;
	}
	return same;
}

/* the root cgroup is id 1; no cgroup has id 0 */
SEC("tc") __retval(1)
int cgroup_root(struct __sk_buff *skb)
{
	struct cgroup *c = bpf_cgroup_from_id(1);

	if (!c)
		return 0;
	bpf_cgroup_release(c);
	c = bpf_cgroup_from_id(0);
	if (c) {
		bpf_cgroup_release(c);
		return 2;
	}
	return 1;
}

/* bpf_rdonly_cast: any value as an untrusted pointer to a kernel struct,
 * read without faulting (PROBE_MEM); here the current task again, its pid
 * read through the cast. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

SEC("tc") __retval(1)
int task_rdonly_cast(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_rdonly_cast((void *)bpf_get_current_task(),
						 __builtin_btf_type_id(*(struct task_struct *)0, 1));

	return t->pid == (__u32)bpf_get_current_pid_tgid();
}

/* Loads through it never fault: NULL, or an address nothing maps, read 0
 * (the soundness fuzzer's mutant passed NULL). */
SEC("tc") __retval(0)
int task_rdonly_cast_null(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_rdonly_cast(ringb_opaque((void *)0),
						 __builtin_btf_type_id(*(struct task_struct *)0, 1));
	struct task_struct *u = bpf_rdonly_cast(ringb_opaque((void *)8),
						 __builtin_btf_type_id(*(struct task_struct *)0, 1));

	return t->pid | t->tgid | u->pid;
}

/* An untrusted pointer is no RCU or trusted argument. */
SEC("?tc") __failure __msg("R1 must be a rcu pointer")
int task_rdonly_cast_not_trusted(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_rdonly_cast((void *)bpf_get_current_task(),
						 __builtin_btf_type_id(*(struct task_struct *)0, 1));
	struct task_struct *owned = bpf_task_acquire(t);

	if (owned)
		bpf_task_release(owned);
	return 0;
}

/* The type id is a known constant. */
SEC("?tc") __failure __msg("R2 must be a known constant")
int task_rdonly_cast_variable_id(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_rdonly_cast((void *)bpf_get_current_task(), skb->len);

	return t != 0;
}
