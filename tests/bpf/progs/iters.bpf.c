/* SPDX-License-Identifier: MIT */
/* Open-coded iterators (ringb/bpf/bpf_iter.h): bpf_for, bpf_repeat,
 * bpf_for_each over bits, and the kfuncs' limits and errnos called by hand. */
#include "ringb_test.h"
#include "bpf_iter.h"

#define E2BIG 7

/* 0 + 1 + ... + 9 */
SEC("tc") __retval(45)
int for_sum(struct __sk_buff *skb)
{
	int i, sum = 0;
	bpf_for(i, 0, 10) sum += i;
	return sum;
}

/* Negative bounds: -3 .. 2 sums to -3. */
SEC("tc") __retval(-3)
int for_negative(struct __sk_buff *skb)
{
	int i, sum = 0;
	bpf_for(i, -3, 3) sum += i;
	return sum;
}

SEC("tc") __retval(5)
int repeat_five(struct __sk_buff *skb)
{
	int n = 0;
	bpf_repeat(5) n++;
	return n;
}

/* An empty range: new() succeeds, next() is NULL at once. */
SEC("tc") __retval(1)
int num_empty(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int ok = bpf_iter_num_new(&it, 3, 3) == 0 && !bpf_iter_num_next(&it);
	bpf_iter_num_destroy(&it);
	return ok;
}

/* start > end: -EINVAL, and next() is NULL. */
SEC("tc") __retval(-22)
int num_backwards(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int r = bpf_iter_num_new(&it, 5, 3);
	if (bpf_iter_num_next(&it)) r = 1;
	bpf_iter_num_destroy(&it);
	return r;
}

/* BPF_MAX_LOOPS (8M) steps are allowed, one more is -E2BIG, as is the whole
 * int range; after a failed new() next() is NULL. One bit each. */
SEC("tc") __retval(15)
int num_limits(struct __sk_buff *skb)
{
	struct bpf_iter_num a, b, c;
	int r = 0;
	if (bpf_iter_num_new(&a, 0, 1 << 23) == 0) r |= 1;
	if (bpf_iter_num_new(&b, ringb_opaque(-1), (1 << 23)) == -E2BIG) r |= 2;
	if (bpf_iter_num_new(&c, -2147483647 - 1, 2147483647) == -E2BIG) r |= 4;
	if (!bpf_iter_num_next(&b)) r |= 8;
	bpf_iter_num_destroy(&a);
	bpf_iter_num_destroy(&b);
	bpf_iter_num_destroy(&c);
	return r;
}

/* The values of a hand-driven iterator: 7, 8, 9, then NULL. */
SEC("tc") __retval(789)
int num_values(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *v, r = 0;
	bpf_iter_num_new(&it, 7, 10);
	while ((v = bpf_iter_num_next(&it))) r = r * 10 + *v;
	bpf_iter_num_destroy(&it);
	return r;
}

/* The set bits of one word, lowest first: 0, 4, 63 -> 3 bits, 0*1 + 4*2 + 63*3. */
SEC("tc") __retval(0x300c5)
int bits_one_word(struct __sk_buff *skb)
{
	__u64 mask = 0x8000000000000011ULL;
	int *bit, n = 0, w = 0;
	bpf_for_each(bits, bit, &mask, 1) {
		n++;
		w += *bit * n;
	}
	return n << 16 | w;
}

/* Three words: bits 0, 64 + 1, 128 + 5 -> 3 bits summing to 198. */
SEC("tc") __retval(0x300c6)
int bits_three_words(struct __sk_buff *skb)
{
	__u64 words[3] = {1, 2, 1 << 5};
	int *bit, n = 0, sum = 0;
	bpf_for_each(bits, bit, words, 3) {
		n++;
		sum += *bit;
	}
	return n << 16 | sum;
}

/* No words or NULL: -EINVAL; 512 words: -E2BIG; next() is NULL after. */
SEC("tc") __retval(15)
int bits_errors(struct __sk_buff *skb)
{
	struct bpf_iter_bits a, b, c;
	__u64 w = 1;
	int r = 0;
	if (bpf_iter_bits_new(&a, &w, 0) == -22) r |= 1;
	if (bpf_iter_bits_new(&b, 0, 1) == -22) r |= 2;
	if (bpf_iter_bits_new(&c, &w, ringb_opaque(512)) == -E2BIG) r |= 4;
	if (!bpf_iter_bits_next(&a) && !bpf_iter_bits_next(&c)) r |= 8;
	bpf_iter_bits_destroy(&a);
	bpf_iter_bits_destroy(&b);
	bpf_iter_bits_destroy(&c);
	return r;
}
