/* prog_type_clash.bpf.c — a prog array used by programs of two types: the
 * kernel refuses to load the second (bpf_prog_map_compatible), and so does
 * ringb. Built twice: with -DSKIP_XDP the xdp program is not autoloaded
 * ("?xdp"), and the object loads. */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} jmp SEC(".maps");

SEC("tc") int from_tc(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jmp, 0);
	return 1;
}

#ifdef SKIP_XDP
SEC("?xdp")
#else
SEC("xdp")
#endif
int from_xdp(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp, 0);
	return 2;
}
