/* exceptions: bpf_throw(cookie) ends the program at once, from any depth of
 * static and global subprograms, and the program returns the cookie.
 * (Programs with an exception callback, __exception_cb, are in
 * tests/api/bpf/exception_cb.bpf.c: libbpf 1.1 cannot load them into the
 * kernel. A throw from a bpf_loop callback the kernel refuses: "bpf_throw
 * kfunc (insn N) cannot be called from callback subprog".) */
#include "ringb_test.h"
#include "bpf_experimental.h"

SEC("tc") __retval(64)
int throw_at_once(struct __sk_buff *skb)
{
	if (ringb_opaque(1))
		bpf_throw(64);
	return 1;
}

static __noinline int inner_static(int x)
{
	if (x == 3)
		bpf_throw(32);
	return x;
}

static __noinline int outer_static(int x)
{
	return inner_static(x) + 1;
}

SEC("tc") __retval(32)
int throw_from_nested_static(struct __sk_buff *skb)
{
	return outer_static(ringb_opaque(3)) + 100;
}

__noinline int global_thrower(int x)
{
	if (x > 10)
		bpf_throw(x);
	return x;
}

/* The first call returns; the second throws, and its cookie is the result. */
SEC("tc") __retval(11)
int throw_from_global(struct __sk_buff *skb)
{
	int a = global_thrower(ringb_opaque(5));

	return global_thrower(a + 6) + 1000;
}

/* The cookie is 64 bits; a tc program's result is its low 32. */
SEC("tc") __retval(5)
int throw_wide_cookie(struct __sk_buff *skb)
{
	bpf_throw(ringb_opaque(0x100000005ull));
	return 0;
}
