/* SPDX-License-Identifier: MIT */
/* bpf_xdp_adjust_head/tail/meta and bpf_check_mtu on the XDP test frame:
 * 4096 bytes, the 64-byte packet at 256 (XDP_PACKET_HEADROOM), the
 * struct xdp_frame (40 bytes) kept at the frame's start, 320 bytes of
 * skb_shared_info at its end. So the head may move down 216 bytes and up
 * 50 (an Ethernet header stays); the tail may grow to 4096 - 320 - 256 =
 * 3520 bytes of packet. */
#include "ringb_test.h"

#define EACCES 13
#define ENODEV 19

static __u32 plen(struct xdp_md *x) { return x->data_end - x->data; }

/* -216 moves the start to the xdp_frame's end (280 bytes of packet). */
SEC("xdp") __retval(280)
int adjust_head_down(struct xdp_md *x)
{
	if (bpf_xdp_adjust_head(x, ringb_opaque(-216))) return -1;
	__u32 n = plen(x);
	bpf_xdp_adjust_head(x, 216);
	return n;
}

/* One more byte would overwrite the xdp_frame: -EINVAL. */
SEC("xdp") __retval(-22)
int adjust_head_too_far(struct xdp_md *x)
{
	return bpf_xdp_adjust_head(x, ringb_opaque(-217));
}

/* Up 50 leaves 14 bytes; up 51 would leave less than an Ethernet header. */
SEC("xdp") __retval(0xe0016)
int adjust_head_up(struct xdp_md *x)
{
	long bad = bpf_xdp_adjust_head(x, ringb_opaque(51));
	if (bpf_xdp_adjust_head(x, ringb_opaque(50))) return -1;
	return (plen(x) << 16) | (__u16)-bad;
}

/* Growing by 3456 reaches the 3520-byte limit; one more is -EINVAL. The
 * grown bytes read as zero. */
SEC("xdp") __retval(3520)
int adjust_tail_grow(struct xdp_md *x)
{
	if (bpf_xdp_adjust_tail(x, ringb_opaque(3457)) != -22) return -1;
	if (bpf_xdp_adjust_tail(x, ringb_opaque(3456))) return -2;
	__u32 n = plen(x);
	void *data = (void *)(long)x->data, *end = (void *)(long)x->data_end;
	if (data + 100 > end) return -3;
	if (((__u8 *)data)[99] != 0) return -4;
	bpf_xdp_adjust_tail(x, -3456);
	return n;
}

/* Shrinking to 14 bytes is allowed, to 13 not. */
SEC("xdp") __retval(14)
int adjust_tail_shrink(struct xdp_md *x)
{
	if (bpf_xdp_adjust_tail(x, ringb_opaque(-51)) != -22) return -1;
	if (bpf_xdp_adjust_tail(x, ringb_opaque(-50))) return -2;
	return plen(x);
}

/* Metadata (Linux 6.18: up to 252 bytes, skb_shared_info's u8 meta_len,
 * in steps of 4): 3 bytes -EACCES; past data -EINVAL; into the xdp_frame
 * -EINVAL; 36 bytes, then all 216 bytes of headroom, fine; 4 more reach the
 * xdp_frame: -EINVAL. One bit each. */
SEC("xdp") __retval(63)
int adjust_meta(struct xdp_md *x)
{
	int r = 0;
	if (bpf_xdp_adjust_meta(x, ringb_opaque(-3)) == -EACCES) r |= 1;
	if (bpf_xdp_adjust_meta(x, ringb_opaque(4)) == -22) r |= 2;
	if (bpf_xdp_adjust_meta(x, ringb_opaque(-220)) == -22) r |= 4;
	if (bpf_xdp_adjust_meta(x, ringb_opaque(-36)) == 0 && x->data - x->data_meta == 36) r |= 8;
	if (bpf_xdp_adjust_meta(x, ringb_opaque(-180)) == 0 && x->data - x->data_meta == 216) r |= 16;
	if (bpf_xdp_adjust_meta(x, ringb_opaque(-4)) == -22) r |= 32;
	bpf_xdp_adjust_meta(x, 216);
	return r;
}

/* With 8 bytes of metadata the head can go down only 208 bytes, and the
 * metadata moves with it. */
SEC("xdp") __retval(0x1680)
int adjust_head_with_meta(struct xdp_md *x)
{
	if (bpf_xdp_adjust_meta(x, -8)) return -1;
	long bad = bpf_xdp_adjust_head(x, ringb_opaque(-216));
	if (bpf_xdp_adjust_head(x, ringb_opaque(-208))) return -2;
	__u32 meta = x->data - x->data_meta;
	return (-bad << 8) | (meta << 4) | (plen(x) - 272);
}

/* check_mtu on lo: 64 bytes pass; 65551 (64 + diff) is FRAG_NEEDED; any
 * flag -EINVAL; an unknown device -ENODEV. One bit each. */
SEC("xdp") __retval(15)
int check_mtu_xdp(struct xdp_md *x)
{
	__u32 mtu = 0;
	int r = 0;
	if (bpf_check_mtu(x, 0, &mtu, 0, 0) == BPF_MTU_CHK_RET_SUCCESS && mtu == 65536) r |= 1;
	mtu = 0;
	if (bpf_check_mtu(x, 0, &mtu, 65551 - 64, 0) == BPF_MTU_CHK_RET_FRAG_NEEDED) r |= 2;
	mtu = 0;
	if (bpf_check_mtu(x, 0, &mtu, 0, BPF_MTU_CHK_SEGS) == -22) r |= 4;
	if (bpf_check_mtu(x, 12345, &mtu, 0, 0) == -ENODEV) r |= 8;
	return r;
}
