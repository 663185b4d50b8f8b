/* SPDX-License-Identifier: MIT */
/* bpf_strtol / bpf_strtoul (the kernel's parsing: base in flags, leading
 * white space, one '-', "0x"/"0" guessing with base 0, -EINVAL / -ERANGE),
 * bpf_snprintf, the probe reads (a user-space address given to a kernel
 * read is -ERANGE; a fault -EFAULT; the destination zeroed), and the small
 * helpers: comm, numa node, coarse time. Each result was worked out by hand. */
#include "ringb_test.h"

#define EFAULT 14
#define ERANGE 34

/* Returns r * 1000 + res for small values. */
static long tol(const char *s, int n, __u64 flags)
{
	long res = 77;
	long r = bpf_strtol(s, n, flags, &res);
	return r < 0 ? r : r * 1000 + res;
}

/* "123" -> 3 characters, 123. */
SEC("tc") __retval(3123)
int strtol_plain(struct __sk_buff *skb)
{
	char s[] = "123";
	return tol(s, sizeof(s) - 1, 0);
}

/* Leading blanks, a sign, a stop at 'x': "  -42x" -> 5 characters, -42. */
SEC("tc") __retval(4958)
int strtol_negative(struct __sk_buff *skb)
{
	char s[] = "  -42x";
	return tol(s, sizeof(s) - 1, 10);
}

/* Base 0: "0x1f" is hex (4 characters, 31), "017" octal (3, 15). */
SEC("tc") __retval(4031)
int strtol_base0_hex(struct __sk_buff *skb)
{
	char s[] = "0x1f";
	return tol(s, sizeof(s) - 1, 0);
}

SEC("tc") __retval(3015)
int strtol_base0_octal(struct __sk_buff *skb)
{
	char s[] = "017";
	return tol(s, sizeof(s) - 1, 0);
}

/* Errors, one bit each: base 2 and a stray flag bit -EINVAL; "+5" and
 * "0x" (base 16) and "   " have no digits: -EINVAL; 2^63 -ERANGE;
 * 20 nines -ERANGE (overflowing u64); *res is 0 after each. */
SEC("tc") __retval(127)
int strtol_errors(struct __sk_buff *skb)
{
	char d[] = "5", plus[] = "+5", hex[] = "0x", blank[] = "   ";
	char big[] = "9223372036854775808", huge[] = "99999999999999999999";
	long res = 1;
	int r = 0;
	if (bpf_strtol(d, 1, 2, &res) == -22 && res == 0) r |= 1;
	res = 1;
	if (bpf_strtol(d, 1, 0x20, &res) == -22 && res == 0) r |= 2;
	if (bpf_strtol(plus, 2, 0, &res) == -22) r |= 4;
	if (bpf_strtol(hex, 2, 16, &res) == -22) r |= 8;
	if (bpf_strtol(blank, 3, 0, &res) == -22) r |= 16;
	if (bpf_strtol(big, sizeof(big) - 1, 0, &res) == -ERANGE && res == 0) r |= 32;
	if (bpf_strtol(huge, sizeof(huge) - 1, 0, &res) == -ERANGE) r |= 64;
	return r;
}

/* The most negative long parses; strtoul refuses a sign but takes 2^64-1. */
SEC("tc") __retval(7)
int strtol_limits(struct __sk_buff *skb)
{
	char min[] = "-9223372036854775808", neg[] = "-1", max[] = "18446744073709551615";
	long res = 0;
	unsigned long ures = 5;
	int r = 0;
	if (bpf_strtol(min, sizeof(min) - 1, 0, &res) == 20 && res == (-9223372036854775807L - 1)) r |= 1;
	if (bpf_strtoul(neg, sizeof(neg) - 1, 0, &ures) == -22 && ures == 0) r |= 2;
	if (bpf_strtoul(max, sizeof(max) - 1, 10, &ures) == 20 && ures == ~0UL) r |= 4;
	return r;
}

/* snprintf: "%d:%s|%5u|%x" of -7, "ab", 42, 255 is "-7:ab|   42|ff", 14
 * characters; the result counts the NUL (15). A truncated copy still
 * returns the full length and ends in NUL. */
SEC("tc") __retval(15)
int snprintf_basic(struct __sk_buff *skb)
{
	static const char fmt[] = "%d:%s|%5u|%x";
	char out[32], small[4];
	char ab[] = "ab";
	__u64 args[4];
	args[0] = -7;
	args[1] = (__u64)(long)ab;
	args[2] = 42;
	args[3] = 255;
	long n = bpf_snprintf(out, sizeof(out), fmt, args, sizeof(args));
	if (out[0] != '-' || out[3] != 'a' || out[9] != '4' || out[12] != 'f' || out[14] != 0) return -1;
	if (bpf_snprintf(small, sizeof(small), fmt, args, sizeof(args)) != n || small[3] != 0) return -2;
	return n;
}

/* ---- probe reads ------------------------------------------------------- */

/* The program's stack is kernel memory: read back. */
SEC("tc") __retval(0x1234)
int probe_kernel_stack(struct __sk_buff *skb)
{
	volatile __u64 v = 0x1234;
	__u64 out = 0;
	if (bpf_probe_read_kernel(&out, sizeof(out), (void *)&v)) return -1;
	return out;
}

/* NULL (a user-space address) given to the kernel reads: -ERANGE, to the
 * user reads: -EFAULT; the buffer zeroed each time. One bit each. */
SEC("tc") __retval(15)
int probe_null(struct __sk_buff *skb)
{
	__u64 out = 1;
	char s[8] = "xxxxxxx";
	int r = 0;
	if (bpf_probe_read_kernel(&out, 8, (void *)ringb_opaque(0L)) == -ERANGE && out == 0) r |= 1;
	out = 1;
	if (bpf_probe_read_user(&out, 8, (void *)ringb_opaque(16L)) == -EFAULT && out == 0) r |= 2;
	if (bpf_probe_read_kernel_str(s, 8, (void *)ringb_opaque(0L)) == -ERANGE && s[0] == 0) r |= 4;
	s[0] = 'x';
	if (bpf_probe_read_user_str(s, 8, (void *)ringb_opaque(0L)) == -EFAULT && s[0] == 0) r |= 8;
	return r;
}

/* A non-canonical address is -ERANGE for the kernel reads too. */
SEC("tc") __retval(-34)
int probe_noncanonical(struct __sk_buff *skb)
{
	__u64 out = 0;
	return bpf_probe_read_kernel(&out, 8, (void *)ringb_opaque(0x8000000000000000UL));
}

/* Strings: the length with its NUL; truncated to the size with a NUL. */
SEC("tc") __retval(0x6004)
int probe_kernel_str(struct __sk_buff *skb)
{
	char src[16] = "hello", dst[16], small[4];
	long a = bpf_probe_read_kernel_str(dst, sizeof(dst), src);
	long b = bpf_probe_read_kernel_str(small, sizeof(small), src);
	if (dst[4] != 'o' || small[2] != 'l' || small[3] != 0) return -1;
	return a << 12 | b;
}

/* ---- small helpers ------------------------------------------------------- */

/* comm: 0, truncated to the buffer with a NUL; numa node 0; coarse
 * monotonic time is positive. One bit each. */
SEC("tc") __retval(7)
int comm_numa_time(struct __sk_buff *skb)
{
	char comm[4] = {1, 1, 1, 1};
	int r = 0;
	if (bpf_get_current_comm(comm, sizeof(comm)) == 0 && comm[0] && comm[3] == 0) r |= 1;
	if (bpf_get_numa_node_id() == 0) r |= 2;
	if (bpf_ktime_get_coarse_ns() > 0) r |= 4;
	return r;
}

/* ---- the format language ------------------------------------------------ */

static int streq(const char *a, const char *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i] != b[i]) return 0;
	return 1;
}

/* Flags and widths: "%05d|%-4d|%+d|% d|%x|%lld|%c" of -42, 7, 3, 5,
 * (int)-1, -9 (as a long long), 'Z' is "-0042|7   |+3| 5|ffffffff|-9|Z"
 * (30 characters; 31 with the NUL). */
SEC("tc") __retval(31)
int snprintf_flags(struct __sk_buff *skb)
{
	static const char fmt[] = "%05d|%-4d|%+d|% d|%x|%lld|%c";
	static const char want[] = "-0042|7   |+3| 5|ffffffff|-9|Z";
	char out[40];
	__u64 args[7] = {-42, 7, 3, 5, 0xffffffffffffffffULL, -9, 'Z'};
	long n = bpf_snprintf(out, sizeof(out), fmt, args, sizeof(args));
	return streq(out, want, sizeof(want)) ? n : -1;
}

/* Addresses the argument points to: %pI4 and %pi4 of 10.0.0.2. */
SEC("tc") __retval(1)
int snprintf_ip4(struct __sk_buff *skb)
{
	static const char fmt[] = "%pI4 %pi4";
	static const char want[] = "10.0.0.2 010.000.000.002";
	char out[32];
	__u8 ip[4] = {10, 0, 0, 2};
	__u64 args[2];
	args[0] = (__u64)(long)ip;
	args[1] = (__u64)(long)ip;
	bpf_snprintf(out, sizeof(out), fmt, args, sizeof(args));
	return streq(out, want, sizeof(want));
}

/* %px: 16 hex digits, no 0x. */
SEC("tc") __retval(1)
int snprintf_px(struct __sk_buff *skb)
{
	static const char fmt[] = "%px";
	static const char want[] = "00000000deadbeef";
	char out[20];
	__u64 args[1] = {0xdeadbeef};
	bpf_snprintf(out, sizeof(out), fmt, args, sizeof(args));
	return streq(out, want, sizeof(want));
}

/* trace_printk's format is checked when it runs: h, z, a precision, a
 * non-printable character, or more conversions than its three arguments
 * are -EINVAL. One bit each. */
SEC("tc") __retval(31)
int printk_bad_formats(struct __sk_buff *skb)
{
	char h[] = "%hd", z[] = "%zu", prec[] = "%.2d", ctl[] = "a\x01", many[] = "%d%d%d%d";
	int r = 0;
	if (bpf_trace_printk(h, sizeof(h), 1) == -22) r |= 1;
	if (bpf_trace_printk(z, sizeof(z), 1) == -22) r |= 2;
	if (bpf_trace_printk(prec, sizeof(prec), 1) == -22) r |= 4;
	if (bpf_trace_printk(ctl, sizeof(ctl)) == -22) r |= 8;
	if (bpf_trace_printk(many, sizeof(many), 1, 2, 3) == -22) r |= 16;
	return r;
}
