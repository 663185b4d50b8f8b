/* SPDX-License-Identifier: MIT */
/* Cgroup storage (BPF_MAP_TYPE_CGROUP_STORAGE, PERCPU_CGROUP_STORAGE) and
 * bpf_get_local_storage. A test run allocates the program's storages for
 * the run, zeroed, as the kernel's bpf_test_run does, so every program here
 * starts from zeroes. The helper never returns NULL: no check is needed.
 * The '?' programs are refused, each with the kernel's message (the ones of
 * the kernel's verifier_cgroup_storage.c among them). */
#include "ringb_test.h"

struct counter {
	__u64 runs;
	__u64 bytes;
	char pad[48];
};

struct locked {
	struct bpf_spin_lock lock;
	__u32 n;
};

/* key: struct bpf_cgroup_storage_key, storage per (cgroup, attach type) */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, struct counter);
} cg_storage SEC(".maps");

/* key: __u64, storage per cgroup shared by its attach types */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);
	__type(key, __u64);
	__type(value, __u64);
} pcpu_storage SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, __u64);
	__type(value, struct locked);
} lock_storage SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, __u64);
	__type(value, __u32);
} other_storage SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, long long);
	__type(value, long long);
} hash_8b SEC(".maps");

/* zeroed at the start of the run; the increment is seen by the next call */
SEC("cgroup_skb/egress") __retval(1)
int storage_counts_runs(struct __sk_buff *skb)
{
	struct counter *c = bpf_get_local_storage(&cg_storage, 0);
	struct counter *again;

	c->runs++;
	c->bytes += skb->len;
	again = bpf_get_local_storage(&cg_storage, 0);
	return again == c && again->runs == 1 && again->bytes == 50;
}

/* one run's storage serves every run of a repeat (bpf_test_run allocates it
 * once): 1 after one run, 2 after the fifth of `repeat 5` */
SEC("cgroup_skb/egress") __retval(1)
int storage_kept_across_repeats(struct __sk_buff *skb)
{
	struct counter *c = bpf_get_local_storage(&cg_storage, 0);

	c->runs++;
	return c->runs == 5 ? 2 : c->runs == 1 ? 1 : 0;
}

/* the whole value starts zeroed, not only its first word */
SEC("cgroup_skb/ingress") __retval(1)
int storage_starts_zeroed(struct __sk_buff *skb)
{
	__u64 *w = bpf_get_local_storage(&cg_storage, 0);

	return (w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]) == 0;
}

/* per-cpu: this cpu's copy, zeroed */
SEC("cgroup_skb/egress") __retval(1)
int percpu_storage_counts(struct __sk_buff *skb)
{
	__u64 *v = bpf_get_local_storage(&pcpu_storage, 0);

	*v += 3;
	v = bpf_get_local_storage(&pcpu_storage, 0);
	return *v == 3;
}

/* one storage of each type in one program */
SEC("cgroup_skb/egress") __retval(1)
int storage_one_of_each_type(struct __sk_buff *skb)
{
	struct counter *c = bpf_get_local_storage(&cg_storage, 0);
	__u64 *v = bpf_get_local_storage(&pcpu_storage, 0);

	c->runs = 2;
	*v = 1;
	return *v == 1 && c->runs == 2 && (void *)v != (void *)c;
}

/* a value with a bpf_spin_lock: the storage is map memory the lock works in */
SEC("cgroup_skb/egress") __retval(1)
int storage_under_lock(struct __sk_buff *skb)
{
	struct locked *l = bpf_get_local_storage(&lock_storage, 0);
	__u32 n;

	bpf_spin_lock(&l->lock);
	l->n += 2;
	n = l->n;
	bpf_spin_unlock(&l->lock);
	return n == 2;
}

/* the other cgroup program types and sock_ops have the helper too (the
 * kernel verifies these; ringb runs them on its host contexts) */
SEC("cgroup/connect4") __retval(1)
int storage_from_connect4(struct bpf_sock_addr *ctx)
{
	struct counter *c = bpf_get_local_storage(&cg_storage, 0);

	return ++c->runs == 1;
}

SEC("cgroup/sock") __retval(1)
int storage_from_sock_create(struct bpf_sock *ctx)
{
	__u64 *v = bpf_get_local_storage(&pcpu_storage, 0);

	return ++*v == 1;
}

SEC("cgroup/sysctl") __retval(1)
int storage_from_sysctl(struct bpf_sysctl *ctx)
{
	struct counter *c = bpf_get_local_storage(&cg_storage, 0);

	return ++c->runs == 1;
}

SEC("sockops") __retval(1)
int storage_from_sock_ops(struct bpf_sock_ops *ctx)
{
	__u64 *v = bpf_get_local_storage(&pcpu_storage, 0);

	return ++*v == 1;
}

/* the valid accesses of the kernel's verifier_cgroup_storage.c */
SEC("cgroup/skb") __retval(0)
__attribute__((naked)) int valid_cgroup_storage_access(void)
{
	asm volatile ("r2 = 0;"
		      "r1 = %[cg_storage] ll;"
		      "call %[bpf_get_local_storage];"
		      "r1 = *(u32 *)(r0 + 0);"
		      "r0 = r1;"
		      "r0 &= 1;"
		      "exit;"
		      :
		      : __imm(bpf_get_local_storage), __imm_addr(cg_storage)
		      : __clobber_all);
}

SEC("cgroup/skb") __retval(0)
__attribute__((naked)) int valid_percpu_cgroup_storage_access(void)
{
	asm volatile ("r2 = 0;"
		      "r1 = %[pcpu_storage] ll;"
		      "call %[bpf_get_local_storage];"
		      "r1 = *(u32 *)(r0 + 0);"
		      "r0 = r1;"
		      "r0 &= 1;"
		      "exit;"
		      :
		      : __imm(bpf_get_local_storage), __imm_addr(pcpu_storage)
		      : __clobber_all);
}

/* the last byte of the value is in bounds */
SEC("cgroup/skb") __success
__attribute__((naked)) int storage_last_byte(void)
{
	asm volatile ("r2 = 0;"
		      "r1 = %[cg_storage] ll;"
		      "call %[bpf_get_local_storage];"
		      "r1 = *(u8 *)(r0 + 63);"
		      "r0 = 1;"
		      "exit;"
		      :
		      : __imm(bpf_get_local_storage), __imm_addr(cg_storage)
		      : __clobber_all);
}

/* ---- refused --------------------------------------------------------- */

SEC("?cgroup/skb") __failure __msg("cannot pass map_type 1 into func bpf_get_local_storage#81")
__attribute__((naked)) int storage_of_a_hash_map(void)
{
	asm volatile ("r2 = 0;"
		      "r1 = %[hash_8b] ll;"
		      "call %[bpf_get_local_storage];"
		      "r1 = *(u32 *)(r0 + 0);"
		      "r0 = r1;"
		      "r0 &= 1;"
		      "exit;"
		      :
		      : __imm(bpf_get_local_storage), __imm_addr(hash_8b)
		      : __clobber_all);
}

SEC("?cgroup/skb") __failure __msg("invalid access to map value, value_size=64 off=256 size=4")
__attribute__((naked)) int storage_read_past_the_end(void)
{
	asm volatile ("r2 = 0;"
		      "r1 = %[cg_storage] ll;"
		      "call %[bpf_get_local_storage];"
		      "r1 = *(u32 *)(r0 + 256);"
		      "r1 += 1;"
		      "r0 = 0;"
		      "exit;"
		      :
		      : __imm(bpf_get_local_storage), __imm_addr(cg_storage)
		      : __clobber_all);
}

SEC("?cgroup/skb") __failure __msg("invalid access to map value, value_size=8 off=8 size=4")
__attribute__((naked)) int percpu_storage_read_past_the_end(void)
{
	asm volatile ("r2 = 0;"
		      "r1 = %[pcpu_storage] ll;"
		      "call %[bpf_get_local_storage];"
		      "r1 = *(u32 *)(r0 + 8);"
		      "r1 += 1;"
		      "r0 = 0;"
		      "exit;"
		      :
		      : __imm(bpf_get_local_storage), __imm_addr(pcpu_storage)
		      : __clobber_all);
}

SEC("?cgroup/skb") __failure __msg("invalid access to map value, value_size=64 off=-2 size=4")
__attribute__((naked)) int storage_read_before_the_start(void)
{
	asm volatile ("r2 = 0;"
		      "r1 = %[cg_storage] ll;"
		      "call %[bpf_get_local_storage];"
		      "r1 = *(u32 *)(r0 - 2);"
		      "r0 = r1;"
		      "r1 += 1;"
		      "exit;"
		      :
		      : __imm(bpf_get_local_storage), __imm_addr(cg_storage)
		      : __clobber_all);
}

SEC("?cgroup/skb") __failure __msg("get_local_storage() doesn't support non-zero flags")
__attribute__((naked)) int storage_flags_7(void)
{
	asm volatile ("r2 = 7;"
		      "r1 = %[cg_storage] ll;"
		      "call %[bpf_get_local_storage];"
		      "r1 = *(u32 *)(r0 + 0);"
		      "r0 = r1;"
		      "r0 &= 1;"
		      "exit;"
		      :
		      : __imm(bpf_get_local_storage), __imm_addr(cg_storage)
		      : __clobber_all);
}

SEC("?cgroup/skb") __failure __msg("get_local_storage() doesn't support non-zero flags")
__attribute__((naked)) int percpu_storage_flags_ctx(void)
{
	asm volatile ("r2 = r1;"
		      "r1 = %[pcpu_storage] ll;"
		      "call %[bpf_get_local_storage];"
		      "r1 = *(u32 *)(r0 + 0);"
		      "r0 = r1;"
		      "r0 &= 1;"
		      "exit;"
		      :
		      : __imm(bpf_get_local_storage), __imm_addr(pcpu_storage)
		      : __clobber_all);
}

/* flags 1 on the path explored second: the first path's state at the join
 * must not stand for it (the flags register is precise) */
SEC("?cgroup/skb") __failure __msg("get_local_storage() doesn't support non-zero flags")
__attribute__((naked)) int storage_nonzero_flags_on_a_pruned_path(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];"
		      "r6 = r0;"
		      "r7 = r0;"
		      "r7 &= 3;"
		      "if r7 > 1 goto 2f;"
		      "r7 += 1;"
		      "2: r2 = 1;"
		      "if r6 == 0 goto 1f;"
		      "r2 = 0;"
		      "1: r1 = %[cg_storage] ll;"
		      "call %[bpf_get_local_storage];"
		      "r0 = 0;"
		      "exit;"
		      :
		      : __imm(bpf_get_prandom_u32), __imm(bpf_get_local_storage), __imm_addr(cg_storage)
		      : __clobber_all);
}

/* programs reach the storage through bpf_get_local_storage only */
SEC("?cgroup_skb/egress") __failure __msg("cannot pass map_type 19 into func bpf_map_lookup_elem#1")
int storage_lookup_from_a_program(struct __sk_buff *skb)
{
	struct bpf_cgroup_storage_key key = {};
	struct counter *c = bpf_map_lookup_elem(&cg_storage, &key);

	return c != 0;
}

SEC("?cgroup_skb/egress") __failure __msg("cannot pass map_type 21 into func bpf_map_update_elem#2")
int storage_update_from_a_program(struct __sk_buff *skb)
{
	__u64 key = 0, value = 1;

	return bpf_map_update_elem(&pcpu_storage, &key, &value, 0) == 0;
}

SEC("?cgroup_skb/egress") __failure __msg("cannot pass map_type 19 into func bpf_map_delete_elem#3")
int storage_delete_from_a_program(struct __sk_buff *skb)
{
	__u64 key = 0;

	return bpf_map_delete_elem(&lock_storage, &key) == 0;
}

/* two storages of one type in one program */
SEC("?cgroup_skb/egress") __failure __msg("only one cgroup storage of each type is allowed")
int two_shared_storages(struct __sk_buff *skb)
{
	struct counter *c = bpf_get_local_storage(&cg_storage, 0);
	__u32 *o = bpf_get_local_storage(&other_storage, 0);

	return c->runs == *o;
}

/* the helper is the cgroup programs' (and sock_ops'): not tc's, xdp's */
SEC("?tc") __failure __msg("program of this type cannot use helper bpf_get_local_storage#81")
int storage_from_tc(struct __sk_buff *skb)
{
	__u64 *v = bpf_get_local_storage(&pcpu_storage, 0);

	return (int)*v;
}

SEC("?xdp") __failure __msg("program of this type cannot use helper bpf_get_local_storage#81")
int storage_from_xdp(struct xdp_md *ctx)
{
	struct counter *c = bpf_get_local_storage(&cg_storage, 0);

	return (int)c->runs;
}

/* nor tracing programs' (lsm has it for its lsm_cgroup attach only) */
SEC("?tp_btf/task_newtask") __failure __msg("program of this type cannot use helper bpf_get_local_storage#81")
int storage_from_tp_btf(void *ctx)
{
	__u64 *v = bpf_get_local_storage(&pcpu_storage, 0);

	return (int)*v;
}
