/* atomics: BPF_ATOMIC on .data globals, an array map value and the stack.
 *
 * clang emits the plain form (lock *(u64 *)(r1 + 0) += r2, BPF_ADD) when the
 * result of __sync_fetch_and_<op> is unused and the fetch form
 * (atomic_fetch_add, BPF_ADD | BPF_FETCH) when it is used;
 * __sync_lock_test_and_set is BPF_XCHG and __sync_val_compare_and_swap is
 * BPF_CMPXCHG (old value in/out r0).  Both 64- and 32-bit widths.
 * Each test loads its object afresh, so globals start at their initializers. */
#include "ringb_test.h"

__u64 g64 = 100;	/* .data */
__u32 g32 = 100;	/* .data */

struct counters {
	__u64 hits;
	__u32 flags;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counters);
} counter_map SEC(".maps");

/* Non-fetch add (result unused), immediate-valued and register-valued:
 * 100 + 5 + 7 = 112. */
SEC("tc") __retval(112)
int atomic_add64(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&g64, 5);
	__sync_fetch_and_add(&g64, ringb_opaque(7ull));
	return (int)g64;
}

/* Fetch add returns the old value: old = 100, new = 110;
 * returns old * 1000 + new. */
SEC("tc") __retval(100110)
int atomic_fetch_add64(struct __sk_buff *skb)
{
	__u64 old = __sync_fetch_and_add(&g64, 10);
	return (int)(old * 1000 + g64);
}

/* 32-bit add and fetch-add: 100 + 3 = 103 (no fetch), then fetch-add of
 * -1 returns 103 and leaves 102; returns 103 * 1000 + 102. */
SEC("tc") __retval(103102)
int atomic_add32(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&g32, 3);
	__u32 old = __sync_fetch_and_add(&g32, -1);
	return (int)(old * 1000 + g32);
}

/* Non-fetch and/or/xor, 64-bit: 100 & 0x3c = 36, | 0x100 = 292,
 * ^ 5 = 289. */
SEC("tc") __retval(289)
int atomic_and_or_xor64(struct __sk_buff *skb)
{
	__sync_fetch_and_and(&g64, 0x3c);
	__sync_fetch_and_or(&g64, 0x100);
	__sync_fetch_and_xor(&g64, ringb_opaque(5ull));
	return (int)g64;
}

/* Fetch and/or/xor, 64-bit: the old values 100, 36, 292 and the final 289;
 * returns (100 + 36 + 292) * 1000 + 289. */
SEC("tc") __retval(428289)
int atomic_fetch_and_or_xor64(struct __sk_buff *skb)
{
	__u64 a = __sync_fetch_and_and(&g64, 0x3c);
	__u64 b = __sync_fetch_and_or(&g64, 0x100);
	__u64 c = __sync_fetch_and_xor(&g64, ringb_opaque(5ull));
	return (int)((a + b + c) * 1000 + g64);
}

/* Non-fetch and/or/xor, 32-bit: 100 & 0xf0 = 96, | 0x8001 = 0x8061,
 * ^ 0x60 = 0x8001. */
SEC("syscall") __retval(32769)
int atomic_and_or_xor32(void *ctx)
{
	__sync_fetch_and_and(&g32, 0xf0);
	__sync_fetch_and_or(&g32, 0x8001);
	__sync_fetch_and_xor(&g32, ringb_opaque(0x60u));
	return (int)g32;
}

/* Fetch and/or/xor, 32-bit: old values 100, 96, 0x8061 (32865), final
 * 0x8001 (32769); returns (100 + 96 + 32865) * 10 + 32769 % 10. */
SEC("tc") __retval(330619)
int atomic_fetch_and_or_xor32(struct __sk_buff *skb)
{
	__u32 a = __sync_fetch_and_and(&g32, 0xf0);
	__u32 b = __sync_fetch_and_or(&g32, 0x8001);
	__u32 c = __sync_fetch_and_xor(&g32, ringb_opaque(0x60u));
	return (int)((a + b + c) * 10 + g32 % 10);
}

/* xchg, 64-bit: returns the old 100 and stores 0x1234 (4660);
 * returns old * 100000 + new. */
SEC("tc") __retval(10004660)
int atomic_xchg64(struct __sk_buff *skb)
{
	__u64 old = __sync_lock_test_and_set(&g64, ringb_opaque(0x1234ull));
	return (int)(old * 100000 + g64);
}

/* xchg, 32-bit: old 100, new 77; returns old * 1000 + new. */
SEC("tc") __retval(100077)
int atomic_xchg32(struct __sk_buff *skb)
{
	__u32 old = __sync_lock_test_and_set(&g32, ringb_opaque(77u));
	return (int)(old * 1000 + g32);
}

/* cmpxchg, 64-bit: (100 -> 200) succeeds and returns 100; (100 -> 300)
 * fails, returns the current 200 and stores nothing;
 * returns first * 1000000 + second * 1000 + final. */
SEC("tc") __retval(100200200)
int atomic_cmpxchg64(struct __sk_buff *skb)
{
	__u64 first = __sync_val_compare_and_swap(&g64, 100, ringb_opaque(200ull));
	__u64 second = __sync_val_compare_and_swap(&g64, 100, ringb_opaque(300ull));
	return (int)(first * 1000000 + second * 1000 + g64);
}

/* cmpxchg, 32-bit, same scheme: 100 -> 7 succeeds (returns 100),
 * 100 -> 9 fails (returns 7); final 7. */
SEC("syscall") __retval(100007007)
int atomic_cmpxchg32(void *ctx)
{
	__u32 first = __sync_val_compare_and_swap(&g32, 100, ringb_opaque(7u));
	__u32 second = __sync_val_compare_and_swap(&g32, 100, ringb_opaque(9u));
	return (int)(first * 1000000 + second * 1000 + g32);
}

/* Atomics on an array map value: hits += 1 three times (fetch form once),
 * flags |= 0x10 then xchg with 0x3; returns hits * 1000 + fetched * 100 +
 * old flags + new flags = 3000 + 100 + 16 + 3. */
SEC("tc") __retval(3119)
int atomic_map_value(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct counters *c = bpf_map_lookup_elem(&counter_map, &key);

	if (!c)
		return -1;
	__sync_fetch_and_add(&c->hits, 1);
	__u64 fetched = __sync_fetch_and_add(&c->hits, 1);
	__sync_fetch_and_add(&c->hits, 1);
	__sync_fetch_and_or(&c->flags, 0x10);
	__u32 old_flags = __sync_lock_test_and_set(&c->flags, 3);
	return (int)(c->hits * 1000 + fetched * 100 + old_flags + c->flags);
}

/* Atomics on a stack slot: 40 + 2 (fetch returns 40), then cmpxchg
 * 42 -> 1000 succeeds; returns 40 * 10000 + 42 + final = 401042. */
SEC("tc") __retval(401042)
int atomic_stack(struct __sk_buff *skb)
{
	__u64 slot = ringb_opaque(40ull);
	__u64 a = __sync_fetch_and_add(&slot, 2);
	__u64 b = __sync_val_compare_and_swap(&slot, 42, 1000);
	return (int)(a * 10000 + b + slot);
}

/* __sync_bool_compare_and_swap is cmpxchg plus a compare of r0:
 * (100 -> 1) succeeds, (100 -> 2) fails; returns 10 * first + second
 * + 100 * final = 10 + 0 + 100. */
SEC("tc") __retval(110)
int atomic_bool_cas(struct __sk_buff *skb)
{
	int first = __sync_bool_compare_and_swap(&g64, 100, 1);
	int second = __sync_bool_compare_and_swap(&g64, 100, 2);
	return first * 10 + second + (int)g64 * 100;
}
