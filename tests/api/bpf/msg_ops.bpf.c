/* SPDX-License-Identifier: MIT */
/* tests/api/msg_ops_test.cc: a sequence of msg pull/push/pop calls the host
 * chose, their results, then the whole message pulled into one run so that
 * the test run's data_out is the message. */
#include "ringb_test.h"

#define NOPS 16

struct op {
	__u32 kind, a, b;
};

struct script {
	struct op ops[NOPS];
	__s64 results[NOPS];
	__s64 final;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct script);
} script SEC(".maps");

SEC("sk_msg")
int msg_ops(struct sk_msg_md *msg)
{
	__u32 key = 0;
	struct script *s = bpf_map_lookup_elem(&script, &key);
	if (!s) return -1;
	for (int i = 0; i < NOPS; i++) {
		struct op o = s->ops[i];
		long r;
		if (o.kind == 0) r = bpf_msg_pull_data(msg, o.a, o.b, 0);
		else if (o.kind == 1) r = bpf_msg_push_data(msg, o.a, o.b, 0);
		else r = bpf_msg_pop_data(msg, o.a, o.b, 0);
		s->results[i] = r;
	}
	__u32 size = msg->size;
	s->final = bpf_msg_pull_data(msg, 0, size, 0);
	return size;
}
