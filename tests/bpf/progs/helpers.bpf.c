/* helpers: calls of kernel helper functions (BPF_CALL imm = helper id).
 * Time, random numbers and the CPU number are not deterministic, so those
 * programs only check properties (non-zero, monotonic, in range) and
 * return a fixed code when they hold.  The string helpers and spin locks
 * are deterministic. */
#include "ringb_test.h"

/* bpf_ktime_get_ns: non-zero and monotonic; bpf_ktime_get_boot_ns is not
 * behind it (boot time includes suspend); bpf_jiffies64 is non-zero.
 * returns 1001 if all hold, else a code saying which failed. */
SEC("tc") __retval(1001)
int helper_ktime(struct __sk_buff *skb)
{
	__u64 t1 = bpf_ktime_get_ns();
	__u64 t2 = bpf_ktime_get_ns();
	__u64 boot = bpf_ktime_get_boot_ns();

	if (t1 == 0)
		return 1;
	if (t2 < t1)
		return 2;
	if (boot < t1)
		return 3;
	if (bpf_jiffies64() == 0)
		return 4;
	return 1001;
}

/* bpf_get_prandom_u32: eight draws are not all equal (probability of a
 * false failure 2^-224).  returns 2002. */
SEC("tc") __retval(2002)
int helper_prandom(struct __sk_buff *skb)
{
	__u32 first = bpf_get_prandom_u32();
	int same = 0;

	for (int i = 0; i < 7; i++)
		same += bpf_get_prandom_u32() == first;
	return same == 7 ? -1 : 2002;
}

/* bpf_get_smp_processor_id is below the kernel's CPU limit (NR_CPUS is at
 * most 8192), and bpf_get_numa_node_id is not negative.  returns 3003. */
SEC("syscall") __retval(3003)
int helper_smp_processor_id(void *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();

	if (cpu >= 8192)
		return -1;
	if (bpf_get_numa_node_id() < 0)
		return -2;
	return 3003;
}

/* bpf_printk (bpf_trace_printk) returns the number of bytes written, >= 0;
 * the line goes to the trace buffer (trace_pipe).  returns 4004. */
SEC("tc") __retval(4004)
int helper_printk(struct __sk_buff *skb)
{
	long n = bpf_printk("ringb kernel oracle: %d", 42);

	return n >= 0 ? 4004 : (int)n;
}

/* bpf_snprintf formats into a buffer and returns the length including the
 * NUL: "v=-17 x=2a s=ok" is 15 chars -> 16.  Then the buffer is checked
 * byte for byte against .rodata with bpf_strncmp (0 when equal).
 * returns n * 100 + (cmp == 0) = 1601. */
const char expected_text[] = "v=-17 x=2a s=ok";
const char fmt[] = "v=%d x=%x s=%s";
const char ok_str[] = "ok";

SEC("tc") __retval(1601)
int helper_snprintf_strncmp(struct __sk_buff *skb)
{
	char out[32];
	/* The pointer is stored at run time on purpose: with a constant
	 * initializer clang would place args in .rodata with a data relocation
	 * for &ok_str, which libbpf does not apply (the pointer would be 0). */
	__u64 args[3] = {(__u64)-17, 0x2a, (__u64)(unsigned long)ringb_opaque(&ok_str[0])};
	long n = bpf_snprintf(out, sizeof(out), fmt, args, sizeof(args));

	if (n < 0)
		return (int)n;
	long cmp = bpf_strncmp(out, sizeof(out), expected_text);
	return (int)(n * 100 + (cmp == 0));
}

struct locked {
	struct bpf_spin_lock lock;
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct locked);
} locked_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct locked);
} locked_hash SEC(".maps");

/* bpf_spin_lock / bpf_spin_unlock around updates of an array map value
 * that contains a struct bpf_spin_lock: three critical sections add 5, 7
 * and 11. returns 23. */
SEC("tc") __retval(23)
int helper_spin_lock(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct locked *v = bpf_map_lookup_elem(&locked_arr, &key);

	if (!v)
		return -1;
	bpf_spin_lock(&v->lock);
	v->count += 5;
	bpf_spin_unlock(&v->lock);
	bpf_spin_lock(&v->lock);
	v->count += 7;
	bpf_spin_unlock(&v->lock);
	bpf_spin_lock(&v->lock);
	v->count += 11;
	bpf_spin_unlock(&v->lock);
	return (int)v->count;
}

/* Hash map value with a spin lock: insert, then update with BPF_F_LOCK
 * (the value is copied under the element's lock), then lock, read, unlock.
 * count 40 then 2 -> returns 2 * 10 + (both updates returned 0) = 21. */
SEC("tc") __retval(21)
int helper_spin_lock_hash(struct __sk_buff *skb)
{
	__u32 key = 1;
	struct locked init = {.count = 40}, next = {.count = 2}, *v;
	long e1 = bpf_map_update_elem(&locked_hash, &key, &init, BPF_NOEXIST);
	long e2 = bpf_map_update_elem(&locked_hash, &key, &next, BPF_EXIST | BPF_F_LOCK);
	__u64 count;

	v = bpf_map_lookup_elem(&locked_hash, &key);
	if (!v)
		return -1;
	bpf_spin_lock(&v->lock);
	count = v->count;
	bpf_spin_unlock(&v->lock);
	return (int)(count * 10 + (e1 == 0 && e2 == 0));
}
