/* per_program.bpf.c — one object, programs that need different things:
 * `good` only an array map; `needs_kfuncs` two kfuncs and a helper ringb
 * lacks; `uses_reuseport` a map type ringb cannot create yet; `optional` is in a
 * '?' section. Loaded program by program (Runtime::LoadOptions), each
 * fails or runs on its own. */
#include "ringb_test.h"

extern void *ringb_no_such_kfunc(int x) __ksym;
extern int ringb_nor_this_one(void) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64[8]);
} reuse SEC(".maps");

SEC("tc") __retval(5)
int good(struct __sk_buff *skb)
{
	__u32 k = 0, *v = bpf_map_lookup_elem(&counts, &k);

	return v ? 5 + *v : -1;
}

SEC("tc") __retval(0)
int needs_kfuncs(struct __sk_buff *skb)
{
	if (ringb_no_such_kfunc(1))
		return 1;
	return ringb_nor_this_one() + (int)bpf_get_socket_uid(skb);
}

SEC("tc") __retval(0)
int uses_reuseport(struct __sk_buff *skb)
{
	__u32 k = 1;

	return bpf_map_lookup_elem(&reuse, &k) ? 1 : 0;
}

SEC("?tc") __retval(9)
int optional(struct __sk_buff *skb)
{
	return 9;
}
