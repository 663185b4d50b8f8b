/* ringbuf: BPF_MAP_TYPE_RINGBUF through bpf_ringbuf_output / reserve /
 * submit / discard / query and the dynptr forms, in a fresh 4096-byte ring
 * per test. A record takes round_up(size + 8, 8) bytes (its 8-byte header);
 * the ring refuses a record that would put the producer more than
 * size - 1 = 4095 bytes past the consumer, and nothing consumes here.
 * BPF_MAP_TYPE_USER_RINGBUF: an empty drain is all a program alone can see. */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} urb SEC(".maps");

/* 5000 bytes asked: libbpf (and ringb's loader) round a ring up to a
 * power-of-2 multiple of the page size, 8192. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 5000);
} rb_odd SEC(".maps");

char big[4096];

SEC("tc") __retval(8192)
int rb_size_rounded_up(struct __sk_buff *skb)
{
	return bpf_ringbuf_query(&rb_odd, BPF_RB_RING_SIZE);
}

/* output 8 bytes: 0; then AVAIL_DATA 16, RING_SIZE 4096, CONS_POS 0,
 * PROD_POS 16, an unknown query 0: 16 + 4096 + 0 * 1000 + 16 * 10 + 0. */
SEC("tc") __retval(4272)
int rb_output_query(struct __sk_buff *skb)
{
	__u64 v = ringb_opaque(42);

	if (bpf_ringbuf_output(&rb, &v, sizeof(v), 0))
		return -1;
	return bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) + bpf_ringbuf_query(&rb, BPF_RB_RING_SIZE) +
	       bpf_ringbuf_query(&rb, BPF_RB_CONS_POS) * 1000 +
	       bpf_ringbuf_query(&rb, BPF_RB_PROD_POS) * 10 + bpf_ringbuf_query(&rb, ringb_opaque(99));
}

/* flags other than BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP: -EINVAL; both
 * wakeup flags are fine: 0. -22 * 10 + 0. */
SEC("tc") __retval(-220)
int rb_output_flags(struct __sk_buff *skb)
{
	__u64 v = 1;
	long bad = bpf_ringbuf_output(&rb, &v, sizeof(v), ringb_opaque(4));
	long ok = bpf_ringbuf_output(&rb, &v, sizeof(v), BPF_RB_NO_WAKEUP);

	ok |= bpf_ringbuf_output(&rb, &v, sizeof(v), BPF_RB_FORCE_WAKEUP);
	return bad * 10 + ok;
}

/* a 4089-byte record (4104 bytes with header and padding) never fits a
 * 4096-byte ring: -EAGAIN; 4080 bytes take 4088 <= 4095: 0; 8 more would put
 * the producer 4104 past the consumer: -EAGAIN.  -11 * 10000 + 0 * 100 - 11. */
SEC("tc") __retval(-110011)
int rb_output_full(struct __sk_buff *skb)
{
	long huge = bpf_ringbuf_output(&rb, big, 4089, 0);
	long first = bpf_ringbuf_output(&rb, big, 4080, 0);
	long second = bpf_ringbuf_output(&rb, big, 8, 0);

	return huge * 10000 + first * 100 + second;
}

/* reserve 16 and submit (24 bytes), reserve with flags: NULL, reserve 5000:
 * NULL, reserve 8 and discard (16 bytes; a discarded record keeps its room
 * until consumed). AVAIL_DATA 40 + 100 + 1000. */
SEC("tc") __retval(1140)
int rb_reserve_submit_discard(struct __sk_buff *skb)
{
	__u64 *p = bpf_ringbuf_reserve(&rb, 16, 0);
	if (!p)
		return -1;
	p[0] = 1;
	p[1] = 2;
	bpf_ringbuf_submit(p, 0);

	void *q = bpf_ringbuf_reserve(&rb, 8, ringb_opaque(1));
	int q_null = !q;
	if (q)
		bpf_ringbuf_discard(q, 0);
	void *r = bpf_ringbuf_reserve(&rb, 5000, 0);
	int r_null = !r;
	if (r)
		bpf_ringbuf_discard(r, 0);

	__u64 *d = bpf_ringbuf_reserve(&rb, 8, 0);
	if (!d)
		return -2;
	*d = 3;
	bpf_ringbuf_discard(d, BPF_RB_NO_WAKEUP);
	return bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) + q_null * 100 + r_null * 1000;
}

/* a reserved record counts as data before it is submitted: 100 bytes take
 * 112; PROD_POS is 112 too: 112 * 1000 + 112. */
SEC("tc") __retval(112112)
int rb_query_pending(struct __sk_buff *skb)
{
	char *p = bpf_ringbuf_reserve(&rb, 100, 0);
	if (!p)
		return -1;
	long avail = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
	long prod = bpf_ringbuf_query(&rb, BPF_RB_PROD_POS);
	bpf_ringbuf_submit(p, BPF_RB_FORCE_WAKEUP);
	return avail * 1000 + prod;
}

/* bpf_ringbuf_reserve_dynptr of 32 bytes: 0; writes through it: in range 0,
 * with flags -EINVAL, past its end -E2BIG; bpf_dynptr_data in range is the
 * record (1); submitted, it takes 40 bytes. Then flags: -EINVAL, 5000 bytes:
 * -EINVAL (no room), 1 << 24 bytes: -E2BIG (over DYNPTR_MAX_SIZE); failed
 * ones are released too, as the verifier insists, and leave no record.
 * (-22 - 22 - 22) * 1000 + (-7 - 7) * 100 + 1 * 10 + 0 + 0 + (40 == 40 ? 0 : 5) */
SEC("tc") __retval(-67390)
int rb_reserve_dynptr(struct __sk_buff *skb)
{
	struct bpf_dynptr d, e;
	__u64 v = 7;

	long r = bpf_ringbuf_reserve_dynptr(&rb, 32, 0, &d);
	long w1 = bpf_dynptr_write(&d, 0, &v, sizeof(v), 0);
	long w2 = bpf_dynptr_write(&d, 0, &v, sizeof(v), ringb_opaque(1));
	long w3 = bpf_dynptr_write(&d, 28, &v, sizeof(v), 0);
	int data = bpf_dynptr_data(&d, 0, 8) != 0;
	bpf_ringbuf_submit_dynptr(&d, 0);

	long f = bpf_ringbuf_reserve_dynptr(&rb, 8, ringb_opaque(1), &e);
	bpf_ringbuf_discard_dynptr(&e, 0);
	long g = bpf_ringbuf_reserve_dynptr(&rb, ringb_opaque(5000), 0, &e);
	bpf_ringbuf_discard_dynptr(&e, 0);
	long h = bpf_ringbuf_reserve_dynptr(&rb, ringb_opaque(1 << 24), 0, &e);
	bpf_ringbuf_discard_dynptr(&e, 0);
	long avail = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
	return (w2 + f + g) * 1000 + (w3 + h) * 100 + data * 10 + r + w1 + (avail == 40 ? 0 : 5);
}

/* a discarded dynptr record keeps its room until consumed: 8 bytes, 16. */
SEC("tc") __retval(16)
int rb_discard_dynptr(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d);
	bpf_ringbuf_discard_dynptr(&d, BPF_RB_NO_WAKEUP);
	return bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
}

static long count_sample(struct bpf_dynptr *dynptr, void *ctx)
{
	return 0;
}

/* an empty user ring drains nothing: 0; flags past the wakeup ones: -EINVAL.
 * 0 * 100 + -22. */
SEC("tc") __retval(-22)
int urb_drain_empty(struct __sk_buff *skb)
{
	long n = bpf_user_ringbuf_drain(&urb, count_sample, NULL, 0);
	long bad = bpf_user_ringbuf_drain(&urb, count_sample, NULL, ringb_opaque(4));

	return n * 100 + bad;
}

/* the host's producer fills the ring in ringb's tests (api/ringbuf_test.cc);
 * alone, this drains nothing and returns the count: 0. */
SEC("tc") __retval(0)
int urb_drain_sum(struct __sk_buff *skb)
{
	__u64 sum = 0;
	long n = bpf_user_ringbuf_drain(&urb, count_sample, &sum, BPF_RB_NO_WAKEUP);

	return n + sum;
}
