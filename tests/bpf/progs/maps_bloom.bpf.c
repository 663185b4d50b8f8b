/* maps_bloom: BPF_MAP_TYPE_BLOOM_FILTER with BPF_F_ZERO_SEED, so the bits
 * are the kernel's: value_size % 4 == 0 hashes with jhash2 (lookup3's
 * hashword), else jhash (hashlittle), seed = hash index; bit = hash &
 * (bits - 1), bits = max_entries * nr_hash_funcs / 5 * 7 rounded up to a
 * power of two, at least 64. The false positives below were found with an
 * independent Python lookup3 (tests/bpf/README.md). peek of a value whose
 * bits are not all set: -ENOENT; push with flags other than BPF_ANY:
 * -EINVAL. tc programs: sleepable (syscall) programs may not use bloom
 * filters. Fresh maps for each test. */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 1);
	__uint(map_extra, 1); /* 1 hash: 64 bits */
	__uint(map_flags, BPF_F_ZERO_SEED);
	__type(value, __u32);
} bloom1 SEC(".maps");

struct three {
	__u8 b[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 10);
	__uint(map_extra, 3); /* 30 / 5 * 7 = 42 -> 64 bits */
	__uint(map_flags, BPF_F_ZERO_SEED);
	__type(value, struct three);
} bloom3 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 100); /* 5 hashes (map_extra 0): 700 -> 1024 bits */
	__uint(map_flags, BPF_F_ZERO_SEED);
	__type(value, __u64);
} bloom5 SEC(".maps");

/* push 1: hashword(1) & 63 = 27. peek 1 = 0; 13 also hashes to bit 27: a
 * false positive, 0; 2 does not: -ENOENT. 2 * 100 + 10 + 1. */
SEC("tc") __retval(211)
int bloom_false_positive(struct __sk_buff *skb)
{
	__u32 v1 = 1, v13 = 13, v2 = 2;

	if (bpf_map_push_elem(&bloom1, &v1, BPF_ANY))
		return -1;
	long miss = bpf_map_peek_elem(&bloom1, &v2);
	long fp = bpf_map_peek_elem(&bloom1, &v13);
	long hit = bpf_map_peek_elem(&bloom1, &v1);
	return (int)(-miss * 100 + (fp == 0) * 10 + (hit == 0));
}

/* 3-byte values (jhash): push 1, 2, 3 set bits 5 10 13 15 19 27 51; 213's
 * three bits are among them (false positive), 4's are not (-ENOENT).
 * 1000 + 2 * 10 + 1. */
SEC("tc") __retval(1021)
int bloom_bytes(struct __sk_buff *skb)
{
	struct three v = {};

	for (__u32 i = 1; i <= 3; i++) {
		v.b[0] = i;
		if (bpf_map_push_elem(&bloom3, &v, BPF_ANY))
			return -1;
	}
	v.b[0] = 213;
	long fp = bpf_map_peek_elem(&bloom3, &v);
	v.b[0] = 4;
	long miss = bpf_map_peek_elem(&bloom3, &v);
	v.b[0] = 2;
	long hit = bpf_map_peek_elem(&bloom3, &v);
	return (int)((fp == 0) * 1000 - miss * 10 + (hit == 0));
}

/* push 1..50 (u64, 5 hashes, 1024 bits): all 50 hit; of 51..1050 exactly
 * one is a false positive, 423. 50 * 10000 + 1 * 1000 + 423. */
SEC("tc") __retval(501423)
int bloom_many(struct __sk_buff *skb)
{
	int hits = 0, fps = 0, which = 0;

	for (__u64 i = 1; i <= 50; i++) {
		__u64 v = i;

		if (bpf_map_push_elem(&bloom5, &v, BPF_ANY))
			return -1;
	}
	for (__u64 i = 1; i <= 50; i++) {
		__u64 v = i;

		hits += bpf_map_peek_elem(&bloom5, &v) == 0;
	}
	for (__u64 i = 51; i <= 1050; i++) {
		__u64 v = i;

		if (bpf_map_peek_elem(&bloom5, &v) == 0) {
			fps++;
			which = i;
		}
	}
	return hits * 10000 + fps * 1000 + which;
}

/* push with BPF_EXIST or BPF_NOEXIST: -EINVAL; peek of nothing: -ENOENT.
 * 22 * 10000 + 22 * 100 + 2. */
SEC("tc") __retval(222202)
int bloom_errnos(struct __sk_buff *skb)
{
	__u32 v = 5;
	long e1 = bpf_map_push_elem(&bloom1, &v, BPF_EXIST);
	long e2 = bpf_map_push_elem(&bloom1, &v, BPF_NOEXIST);
	long e3 = bpf_map_peek_elem(&bloom1, &v);
	return (int)(-e1 * 10000 - e2 * 100 - e3);
}

char LICENSE[] SEC("license") = "GPL";
