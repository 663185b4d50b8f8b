/* exception_cb: programs declared with __exception_cb(fn), whose bpf_throw
 * returns what fn(cookie) returns. libbpf 1.1 does not append fn to the
 * program (libbpf 1.3 does), so the kernel cannot check these here: the
 * values are worked out by hand, and `ringb test` checks them. */
#include "ringb_test.h"
#include "bpf_experimental.h"

__noinline int on_exception(__u64 cookie)
{
	return cookie * 2 + 1;
}

/* 10 * 2 + 1 */
SEC("tc") __exception_cb(on_exception) __retval(21)
int throw_to_callback(struct __sk_buff *skb)
{
	bpf_throw(ringb_opaque(10));
	return 0;
}

static __noinline int thrower(int x)
{
	if (x)
		bpf_throw(x);
	return 7;
}

/* From a subprogram too: 4 * 2 + 1. */
SEC("tc") __exception_cb(on_exception) __retval(9)
int throw_from_subprog_to_callback(struct __sk_buff *skb)
{
	return thrower(ringb_opaque(4)) + 100;
}

/* Without a throw the callback is not called. */
SEC("tc") __exception_cb(on_exception) __retval(107)
int no_throw_no_callback(struct __sk_buff *skb)
{
	return thrower(ringb_opaque(0)) + 100;
}
