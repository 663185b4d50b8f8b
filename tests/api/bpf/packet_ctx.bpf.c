/* SPDX-License-Identifier: MIT */
/* Packet programs that report the context fields a test run's ctx_in may
 * set (packet_ctx_test.cc runs them in ringb and in the kernel). */
#include "ringb_test.h"

SEC("tc") int skb_wire_len(struct __sk_buff *s) { return s->wire_len; }
SEC("tc") int skb_gso_segs(struct __sk_buff *s) { return s->gso_segs; }
SEC("tc") int skb_gso_size(struct __sk_buff *s) { return s->gso_size; }
SEC("tc") int skb_mark(struct __sk_buff *s) { return s->mark; }
SEC("tc") int skb_priority(struct __sk_buff *s) { return s->priority; }
SEC("tc") int skb_ifindex(struct __sk_buff *s) { return s->ifindex; }
SEC("tc") int skb_ingress_ifindex(struct __sk_buff *s) { return s->ingress_ifindex; }
SEC("tc") int skb_cb4(struct __sk_buff *s) { return s->cb[4]; }
SEC("tc") int skb_tstamp(struct __sk_buff *s) { return (int)s->tstamp; }
SEC("tc") int skb_hwtstamp(struct __sk_buff *s) { return (int)s->hwtstamp; }
/* What the kernel writes back to ctx_out. */
SEC("tc") int skb_writes(struct __sk_buff *s)
{
	s->mark = 7;
	s->priority = 9;
	s->cb[1] = 11;
	s->tstamp = 13;
	return 0;
}
/* cgroup_skb (data at the network header) takes the same ctx_in. */
SEC("cgroup_skb/ingress") int cg_mark(struct __sk_buff *s) { return s->mark == 5; }

SEC("xdp") int xdp_meta_len(struct xdp_md *x) { return x->data - x->data_meta; }
SEC("xdp") int xdp_len(struct xdp_md *x) { return x->data_end - x->data; }
SEC("xdp") int xdp_ingress_ifindex(struct xdp_md *x) { return x->ingress_ifindex; }
SEC("xdp") int xdp_meta_byte(struct xdp_md *x)
{
	unsigned char *m = (void *)(long)x->data_meta, *d = (void *)(long)x->data;
	if (m + 1 > d)
		return -1;
	return m[0];
}
/* Grows the metadata by 4 bytes: ctx_out's data moves. */
SEC("xdp") int xdp_grow_meta(struct xdp_md *x) { return bpf_xdp_adjust_meta(x, -4); }

char LICENSE[] SEC("license") = "GPL";
