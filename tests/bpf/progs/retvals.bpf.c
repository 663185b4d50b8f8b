/* retvals: every spelling of __retval the kernel's test_loader accepts —
 * decimal, negative, 0x hex, INT_MIN, INT_MAX, TEST_DATA_LEN,
 * POINTER_VALUE (any value) — and __retval_unpriv. */
#include "ringb_test.h"

SEC("tc") __retval(INT_MIN)
int retval_int_min(struct __sk_buff *skb)
{
	return ringb_opaque(0x80000000u);
}

SEC("tc") __retval(INT_MAX)
int retval_int_max(struct __sk_buff *skb)
{
	return ringb_opaque(0x7fffffff);
}

/* The test packet is TEST_DATA_LEN (64) bytes. */
SEC("tc") __retval(TEST_DATA_LEN)
int retval_test_data_len(struct __sk_buff *skb)
{
	return skb->len;
}

/* A value no one can predict: POINTER_VALUE accepts any. */
SEC("tc") __retval(POINTER_VALUE)
int retval_pointer_value(struct __sk_buff *skb)
{
	return bpf_get_prandom_u32();
}

SEC("tc") __retval(-7)
int retval_negative(struct __sk_buff *skb)
{
	return ringb_opaque(-7);
}

/* 0xfffffff9 is -7 as 32 bits. */
SEC("tc") __retval(0xfffffff9)
int retval_hex_negative(struct __sk_buff *skb)
{
	return ringb_opaque(-7);
}

/* test_loader reads "010" as decimal ten, not octal eight. */
SEC("tc") __retval(010)
int retval_leading_zero_is_decimal(struct __sk_buff *skb)
{
	return ringb_opaque(10);
}

/* Privileged and unprivileged runs agree here; both are checked. */
SEC("tc") __retval(0x2a) __retval_unpriv(42)
int retval_and_unpriv(struct __sk_buff *skb)
{
	return ringb_opaque(42);
}
