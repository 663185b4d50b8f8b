/* maps_lru: BPF_MAP_TYPE_LRU_HASH and LRU_PERCPU_HASH — which keys an
 * overfilled map keeps. Syscall programs run on one cpu in the kernel, so
 * the result is deterministic; it depends on the number of possible cpus
 * (2 on the machine these values were worked out for): an LRU map moves
 * free nodes to a cpu's local list target_free = clamp(max_entries / ncpus
 * / 2, 1, 128) at a time, and BPF_F_NO_COMMON_LRU gives each cpu
 * max_entries / ncpus of them.
 *
 * max_entries 4, 2 cpus: target_free 1. Each insert takes one free node to
 * the cpu's pending list and first flushes the previous pending node to the
 * head of the inactive list, so after 1..4 the inactive list is 3 2 1 (head
 * first) with 4 pending; the next insert flushes 4 and evicts from the
 * inactive tail, oldest first. A lookup from a program sets the node's
 * reference bit: the rotation before the eviction moves it to the active
 * list, so it survives. A full map evicts before it checks the update's
 * flags, so a failing BPF_NOEXIST/BPF_EXIST update still costs a key.
 * Survivors are returned as a bitmask (bit k: key k present), checked last
 * since lookups set reference bits. Fresh maps for each test. */
#include "ringb_test.h"

struct lru4 {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct lru4 lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, __u32);
	__type(value, __u64);
} lru_nc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} lru_pc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} lru64 SEC(".maps");

static __noinline long put(void *map, __u32 k, __u64 flags)
{
	__u64 v = k * 10;

	return bpf_map_update_elem(map, &k, &v, flags);
}

/* Bit k set for each key 1..n present. */
static __noinline int survivors(void *map, __u32 n)
{
	int mask = 0;

	for (__u32 i = 1; i <= 12; i++) {
		__u32 k = i;

		if (i > n)
			break;
		if (bpf_map_lookup_elem(map, &k))
			mask |= 1 << i;
	}
	return mask;
}

/* 1..6 into 4: 1 and 2 evicted, {3,4,5,6} = 8+16+32+64. */
SEC("syscall") __retval(120)
int lru_evicts_oldest(void *ctx)
{
	for (__u32 i = 1; i <= 6; i++)
		if (put(&lru, i, BPF_ANY))
			return -1;
	return survivors(&lru, 6);
}

/* 1..4, lookup 1, then 5..9: 1 moves to the active list and stays while 2,
 * 3, ... go; {1,7,8,9} = 2+128+256+512. */
SEC("syscall") __retval(898)
int lru_referenced_survives(void *ctx)
{
	__u32 k1 = 1;

	for (__u32 i = 1; i <= 4; i++)
		if (put(&lru, i, BPF_ANY))
			return -1;
	if (!bpf_map_lookup_elem(&lru, &k1))
		return -2;
	for (__u32 i = 5; i <= 9; i++)
		if (put(&lru, i, BPF_ANY))
			return -3;
	return survivors(&lru, 9);
}

/* Full: update(4, NOEXIST) = -EEXIST but evicts 1; the freed node takes 5
 * without an eviction; update(9, EXIST) = -ENOENT and evicts 2. {3,4,5} =
 * 56; returns 17 * 10000 + 2 * 1000 + 56. */
SEC("syscall") __retval(172056)
int lru_failed_update_evicts(void *ctx)
{
	for (__u32 i = 1; i <= 4; i++)
		if (put(&lru, i, BPF_ANY))
			return -1;
	long e1 = put(&lru, 4, BPF_NOEXIST);
	if (put(&lru, 5, BPF_ANY))
		return -2;
	long e2 = put(&lru, 9, BPF_EXIST);
	return (int)(-e1 * 10000 - e2 * 1000 + survivors(&lru, 9));
}

/* delete(2) = 0, again -ENOENT; 2's node went back to the common free
 * list, so 5 goes in without evicting: {1,3,4,5} = 58; + 2 * 1000. */
SEC("syscall") __retval(2058)
int lru_delete_frees(void *ctx)
{
	__u32 k2 = 2;

	for (__u32 i = 1; i <= 4; i++)
		if (put(&lru, i, BPF_ANY))
			return -1;
	if (bpf_map_delete_elem(&lru, &k2))
		return -2;
	long e = bpf_map_delete_elem(&lru, &k2);
	if (put(&lru, 5, BPF_ANY))
		return -3;
	return (int)(-e * 1000 + survivors(&lru, 5));
}

/* BPF_F_LOCK (the value has no bpf_spin_lock) and flags past BPF_EXIST:
 * -EINVAL both; 22 * 100 + 22. */
SEC("syscall") __retval(2222)
int lru_bad_flags(void *ctx)
{
	long e1 = put(&lru, 1, BPF_F_LOCK);
	long e2 = put(&lru, 1, 3);
	return (int)(-e1 * 100 - e2);
}

/* BPF_F_NO_COMMON_LRU: this cpu's list has 4 / 2 = 2 nodes and shrinks
 * PERCPU_FREE_TARGET = 4 at once: inserting 3 evicts 1 and 2; 4 takes the
 * other freed node; lookup 3 (referenced: to the active list); 5 evicts 4.
 * {3,5} = 8+32. */
SEC("syscall") __retval(40)
int lru_no_common_lru(void *ctx)
{
	__u32 k3 = 3;

	for (__u32 i = 1; i <= 4; i++)
		if (put(&lru_nc, i, BPF_ANY))
			return -1;
	if (!bpf_map_lookup_elem(&lru_nc, &k3))
		return -2;
	if (put(&lru_nc, 5, BPF_ANY))
		return -3;
	return survivors(&lru_nc, 5);
}

/* LRU_PERCPU_HASH: update(1, 7, EXIST) writes this cpu's copy in place
 * (+10000 when the lookup reads 7) and sets 1's reference bit, the lookup
 * too — but 1 is still pending: inserting 2 flushes it to the active list,
 * which clears the bit, and the rotation then moves it to the inactive list
 * (shorter than active), so it is the oldest there and 5 evicts it:
 * {2,3,4,5} = 60. update(9, EXIST) = -ENOENT pops nothing (+2000). */
SEC("syscall") __retval(12060)
int lru_percpu_values(void *ctx)
{
	__u32 k1 = 1;
	__u64 v7 = 7, *p;

	if (put(&lru_pc, 1, BPF_ANY))
		return -1;
	if (bpf_map_update_elem(&lru_pc, &k1, &v7, BPF_EXIST))
		return -2;
	p = bpf_map_lookup_elem(&lru_pc, &k1);
	if (!p)
		return -3;
	int seven = *p == 7;
	for (__u32 i = 2; i <= 5; i++)
		if (put(&lru_pc, i, BPF_ANY))
			return -4;
	long e = put(&lru_pc, 9, BPF_EXIST);
	return (int)(seven * 10000 - e * 1000 + survivors(&lru_pc, 9));
}

/* max_entries 64, 2 cpus: target_free 16. 1..64 fill it 16 at a time;
 * 65, 81 and 97 each flush the pending 16 and evict 16 from the inactive
 * tail (1..16, 17..32, 33..48), so after 1..100 keys 49..100 survive — 52,
 * with 12 free nodes left on this cpu's local list: an LRU map on more than
 * one cpu holds fewer than max_entries keys. Returns count * 1000 + the
 * smallest key present. */
SEC("syscall") __retval(52049)
int lru_overfill_batches(void *ctx)
{
	int count = 0, lowest = 0;

	for (__u32 i = 1; i <= 100; i++)
		if (put(&lru64, i, BPF_ANY))
			return -1;
	for (__u32 i = 1; i <= 100; i++) {
		__u32 k = i;

		if (bpf_map_lookup_elem(&lru64, &k)) {
			count++;
			if (!lowest)
				lowest = i;
		}
	}
	return count * 1000 + lowest;
}

char LICENSE[] SEC("license") = "GPL";
