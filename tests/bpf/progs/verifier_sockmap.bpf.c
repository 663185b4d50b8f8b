/* SPDX-License-Identifier: MIT */
/* Sockmaps and sockhashes in the verifier, in the kernel's words: a lookup
 * is a socket with a reference, the value a program stores is a socket,
 * which helper takes which map (check_map_func_compatibility) and which
 * program types may update or delete (may_update_sockmap). */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} sock_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} sock_hash SEC(".maps");

/* a lookup is a socket the program must release */
SEC("tc") __success
int lookup_release(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct bpf_sock *sk = bpf_map_lookup_elem(&sock_map, &k);
	int family;

	if (!sk)
		return 0;
	family = sk->family;
	bpf_sk_release(sk);
	return family;
}

SEC("tc") __failure __msg("Unreleased reference")
int lookup_leak(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct bpf_sock *sk = bpf_map_lookup_elem(&sock_hash, &k);

	return sk ? 1 : 0;
}

/* until the NULL check the kernel calls it a map value */
SEC("tc") __failure __msg("R0 invalid mem access '{{(map_value|sock)}}_or_null'")
int lookup_no_null_check(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct bpf_sock *sk = bpf_map_lookup_elem(&sock_map, &k);
	int family = sk->family;

	bpf_sk_release(sk);
	return family;
}

/* tc may move a socket from one map to the other and delete */
SEC("tc") __success
int update_from_lookup(struct __sk_buff *skb)
{
	__u32 k = 0, k1 = 1;
	struct bpf_sock *sk = bpf_map_lookup_elem(&sock_map, &k);

	if (!sk)
		return 0;
	bpf_map_update_elem(&sock_hash, &k1, sk, BPF_ANY);
	bpf_sk_release(sk);
	bpf_map_delete_elem(&sock_map, &k);
	return 1;
}

SEC("xdp") __success
int xdp_delete(struct xdp_md *ctx)
{
	__u32 k = 0;

	bpf_map_delete_elem(&sock_hash, &k);
	return XDP_PASS;
}

/* the value is a socket, not memory */
SEC("tc") __failure __msg("R3 type=fp expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_")
int update_with_stack_value(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 v = 0;

	return bpf_map_update_elem(&sock_map, &k, &v, BPF_ANY);
}

/* a cgroup skb program may not change a sockmap */
SEC("cgroup_skb/ingress") __failure __msg("cannot update sockmap in this context")
int cgroup_skb_delete(struct __sk_buff *skb)
{
	__u32 k = 0;

	bpf_map_delete_elem(&sock_map, &k);
	return 1;
}

SEC("raw_tp/sys_enter") __failure __msg("cannot update sockmap in this context")
int raw_tp_delete(void *ctx)
{
	__u32 k = 0;

	bpf_map_delete_elem(&sock_hash, &k);
	return 0;
}

/* the redirects belong to sk_skb and sk_msg */
SEC("tc") __failure __msg("program of this type cannot use helper bpf_sk_redirect_map#52")
int tc_redirect_map(struct __sk_buff *skb)
{
	return bpf_sk_redirect_map(skb, &sock_map, 0, 0);
}

/* each redirect its own map type */
SEC("sk_skb") __failure __msg("cannot pass map_type 18 into func bpf_sk_redirect_map#52")
int sk_skb_redirect_map_on_hash(struct __sk_buff *skb)
{
	return bpf_sk_redirect_map(skb, &sock_hash, 0, 0);
}

SEC("sk_msg") __failure __msg("cannot pass map_type 15 into func bpf_msg_redirect_hash#71")
int sk_msg_redirect_hash_on_map(struct sk_msg_md *msg)
{
	__u32 k = 0;

	return bpf_msg_redirect_hash(msg, &sock_map, &k, 0);
}

static long count(void *map, __u32 *key, void *value, void *ctx)
{
	return 0;
}

SEC("tc") __failure __msg("callback function not allowed for map")
int walk_sockmap(struct __sk_buff *skb)
{
	return bpf_for_each_map_elem(&sock_map, count, 0, 0);
}

SEC("tc") __failure __msg("invalid arg_type for sockmap/sockhash")
int peek_sockmap(struct __sk_buff *skb)
{
	__u64 v;

	return bpf_map_peek_elem(&sock_map, &v);
}
