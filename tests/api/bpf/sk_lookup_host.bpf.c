/* sk_lookup_host.bpf.c — sk_lookup programs over the host's socket table:
 * the socket in a sockmap slot (the host put it there by cookie) assigned
 * as the lookup's result (sk_lookup_test.cc). */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} redir SEC(".maps");

/* SK_PASS with slot 0's socket selected, or the helper's error as SK_DROP
 * with the errno kept in a global */
long assign_err;

SEC("sk_lookup")
int select_slot0(struct bpf_sk_lookup *ctx)
{
	__u32 key = 0;
	struct bpf_sock *sk = bpf_map_lookup_elem(&redir, &key);

	if (!sk) {
		assign_err = -1000;
		return SK_DROP;
	}
	assign_err = bpf_sk_assign(ctx, sk, 0);
	bpf_sk_release(sk);
	return assign_err ? SK_DROP : SK_PASS;
}
