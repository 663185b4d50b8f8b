/* SPDX-License-Identifier: MIT */
/* Local storage: a value per socket, task and cgroup, created on demand
 * (BPF_LOCAL_STORAGE_GET_F_CREATE), found again, deleted. The owners: the
 * test run's skb->sk, the calling thread's task, the root cgroup. */
#include "ringb_test.h"

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

struct cgroup {
	int level;
} __attribute__((preserve_access_index));

extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} sk_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} task_map SEC(".maps");

struct {
	__uint(type, 32); /* BPF_MAP_TYPE_CGRP_STORAGE (newer than this uapi header) */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} cgrp_map SEC(".maps");

/* absent, created from the initial value, found again, deleted, absent */
SEC("tc") __retval(1)
int sk_storage_life(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	__u64 init = 41, *v;

	if (!sk)
		return -1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return -2;
	if (bpf_sk_storage_get(&sk_map, sk, 0, 0))
		return -3;
	v = bpf_sk_storage_get(&sk_map, sk, &init, BPF_SK_STORAGE_GET_F_CREATE);
	if (!v || *v != 41)
		return -4;
	*v += 1;
	v = bpf_sk_storage_get(&sk_map, sk, 0, 0);
	if (!v || *v != 42)
		return -5;
	if (bpf_sk_storage_delete(&sk_map, sk) != 0)
		return -6;
	if (bpf_sk_storage_delete(&sk_map, sk) != -2)
		return -7;
	if (bpf_sk_storage_get(&sk_map, sk, 0, 0))
		return -8;
	return 1;
}

/* flags other than F_CREATE find nothing */
SEC("tc") __retval(1)
int sk_storage_bad_flags(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return -1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return -2;
	return bpf_sk_storage_get(&sk_map, sk, 0, 2) == 0;
}

SEC("tc") __retval(7)
int task_storage_life(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 *v;
	int r;

	if (bpf_task_storage_get(&task_map, t, 0, 0))
		return -1;
	v = bpf_task_storage_get(&task_map, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!v || *v != 0)
		return -2;
	*v = 7;
	v = bpf_task_storage_get(&task_map, t, 0, 0);
	if (!v)
		return -3;
	r = *v;
	if (bpf_task_storage_delete(&task_map, t))
		return -4;
	if (bpf_task_storage_delete(&task_map, t) != -2)
		return -5;
	return r;
}

SEC("tc") __retval(9)
int cgrp_storage_life(struct __sk_buff *skb)
{
	struct cgroup *c = bpf_cgroup_from_id(1);
	__u64 init = 9, *v;
	int r = 0;

	if (!c)
		return -1;
	v = bpf_cgrp_storage_get(&cgrp_map, c, &init, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (v)
		r = *v;
	bpf_cgrp_storage_delete(&cgrp_map, c);
	bpf_cgroup_release(c);
	return r;
}
