/* verifier_iters: the verifier's rules for open-coded iterators
 * (bpf_iter_num, bpf_iter_bits): created on uninitialised stack, used only
 * while initialised, destroyed before exit (they are references), their
 * bytes not the program's to read; next() may return NULL and points at
 * one int. Every program here is rejected. */
#include "ringb_test.h"
#include "bpf_iter.h"

/* an iterator is a reference until destroyed */
SEC("tc") __failure __msg("Unreleased reference id=")
int vi_no_destroy(struct __sk_buff *skb)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 10);
	return 0;
}

/* next on an iterator never created */
SEC("tc") __failure __msg("expected an initialized iter_num as arg #0")
int vi_next_uninit(struct __sk_buff *skb)
{
	struct bpf_iter_num it;

	bpf_iter_num_next(&it);
	return 0;
}

/* destroy on an iterator never created */
SEC("tc") __failure __msg("expected an initialized iter_num as arg #0")
int vi_destroy_uninit(struct __sk_buff *skb)
{
	struct bpf_iter_num it;

	bpf_iter_num_destroy(&it);
	return 0;
}

/* destroyed twice */
SEC("tc") __failure __msg("expected an initialized iter_num as arg #0")
int vi_destroy_twice(struct __sk_buff *skb)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 10);
	bpf_iter_num_destroy(&it);
	bpf_iter_num_destroy(&it);
	return 0;
}

/* used after destroy */
SEC("tc") __failure __msg("expected an initialized iter_num as arg #0")
int vi_next_after_destroy(struct __sk_buff *skb)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 10);
	bpf_iter_num_destroy(&it);
	bpf_iter_num_next(&it);
	return 0;
}

/* created twice */
SEC("tc") __failure __msg("expected uninitialized iter_num as arg #0")
int vi_new_twice(struct __sk_buff *skb)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 10);
	bpf_iter_num_new(&it, 0, 10);
	bpf_iter_num_destroy(&it);
	return 0;
}

/* a store over the iterator's state leaves no iterator to destroy */
SEC("tc") __failure __msg("expected an initialized iter_num as arg #0")
int vi_overwritten(struct __sk_buff *skb)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 10);
	*(volatile __u64 *)&it = 0;
	bpf_iter_num_destroy(&it);
	return 0;
}

/* its bytes are not data */
SEC("tc") __failure __msg("invalid read from stack off")
int vi_read_state(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	__u64 v;

	bpf_iter_num_new(&it, 0, 10);
	v = *(volatile __u64 *)&it;
	bpf_iter_num_destroy(&it);
	return v;
}

/* next returns NULL when drained (the path the verifier walks first) */
SEC("tc") __failure __msg("invalid mem access 'scalar'")
int vi_next_no_null_check(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int v;

	bpf_iter_num_new(&it, 0, 10);
	v = *(volatile int *)bpf_iter_num_next(&it);
	bpf_iter_num_destroy(&it);
	return v;
}

/* and points at one int */
SEC("tc") __failure __msg("invalid access to memory, mem_size=4 off=4 size=4")
int vi_next_past_int(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *v, sum = 0;

	bpf_iter_num_new(&it, 0, 10);
	while ((v = bpf_iter_num_next(&it)))
		sum += ((volatile int *)v)[1];
	bpf_iter_num_destroy(&it);
	return sum;
}

/* a number iterator is not a bits iterator */
SEC("tc") __failure __msg("expected an initialized iter_bits as arg #0")
int vi_wrong_kind(struct __sk_buff *skb)
{
	__u64 stack[2] = {};

	bpf_iter_num_new((struct bpf_iter_num *)&stack[1], 0, 10);
	bpf_iter_bits_next((struct bpf_iter_bits *)&stack[0]);
	bpf_iter_num_destroy((struct bpf_iter_num *)&stack[1]);
	return 0;
}

/* a bits iterator never created */
SEC("tc") __failure __msg("expected an initialized iter_bits as arg #0")
int vi_bits_uninit(struct __sk_buff *skb)
{
	struct bpf_iter_bits it;

	bpf_iter_bits_next(&it);
	return 0;
}

/* a bits iterator must be destroyed too */
SEC("tc") __failure __msg("Unreleased reference id=")
int vi_bits_no_destroy(struct __sk_buff *skb)
{
	struct bpf_iter_bits it;
	__u64 word = ringb_opaque(5);

	bpf_iter_bits_new(&it, &word, 1);
	return 0;
}

/* an iterator created in a loop and never destroyed */
SEC("tc") __failure __msg("Unreleased reference id=")
int vi_leak_in_loop(struct __sk_buff *skb)
{
	struct bpf_iter_num inner;
	int n = 0;

	bpf_repeat(3) {
		bpf_iter_num_new(&inner, 0, 2);
		n++;
		break;
	}
	return n;
}

/* a scalar is no iterator */
SEC("tc") __failure __msg("arg#0 expected pointer to an iterator on stack")
int vi_scalar_iter(struct __sk_buff *skb)
{
	bpf_iter_num_next((struct bpf_iter_num *)ringb_opaque(64UL));
	return 0;
}

/* an iterator at a misaligned offset */
SEC("tc") __failure __msg("cannot pass in iter at an offset=")
int vi_misaligned(struct __sk_buff *skb)
{
	char stack[24];

	bpf_iter_num_new((struct bpf_iter_num *)(stack + 4), 0, 10);
	bpf_iter_num_destroy((struct bpf_iter_num *)(stack + 4));
	return stack[0];
}

/* the loop's body is checked for every iteration: an index the loop grows
 * without bound runs off the array */
SEC("tc") __failure __msg("invalid access to map value")
int vi_loop_index_unbounded(struct __sk_buff *skb)
{
	static __u64 arr[4];
	__u64 sum = 0;
	int i = 0;

	bpf_repeat(10) {
		sum += *(volatile __u64 *)&arr[i];
		i++;
	}
	return sum;
}
