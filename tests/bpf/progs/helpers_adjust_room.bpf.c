/* SPDX-License-Identifier: MIT */
/* bpf_skb_adjust_room and bpf_skb_change_proto in tc test runs, on the
 * 64-byte test packet (Ethernet, IPv4 from byte 14, skb->len 64): room
 * opened after the mac header (BPF_ADJ_ROOM_MAC) or after the IPv4 header's
 * 20 bytes (BPF_ADJ_ROOM_NET) is zeroed, the headers before it move down;
 * the errnos in the kernel's order (-EINVAL 22, -EFAULT 14, -ENOTSUPP 524,
 * -EALREADY 114). The sk_skb variant opens or closes room at the front. */
#include "ringb_test.h"
#include <bpf/bpf_endian.h>

#define ADJ_DECAP_L3_IPV4 (1ULL << 7)
#define ADJ_DECAP_L3_IPV6 (1ULL << 8)

static __always_inline int byte_at(struct __sk_buff *skb, int off)
{
	__u8 b;
	if (bpf_skb_load_bytes(skb, off, &b, 1)) return -1;
	return b;
}

/* NET: 8 bytes after the IPv4 header; len 72 */
SEC("tc") __retval(72)
int adj_net_grow_len(struct __sk_buff *skb)
{
	if (bpf_skb_adjust_room(skb, ringb_opaque(8), BPF_ADJ_ROOM_NET, 0)) return -1;
	return skb->len;
}

/* NET: the IPv4 header stays at 14 (0x45 ... daddr's last byte 0x02 at 33),
 * bytes 34..37 are the new zeros */
SEC("tc") __retval(0x4502)
int adj_net_grow_layout(struct __sk_buff *skb)
{
	if (bpf_skb_adjust_room(skb, ringb_opaque(4), BPF_ADJ_ROOM_NET, 0)) return -1;
	if (byte_at(skb, 34) | byte_at(skb, 35) | byte_at(skb, 36) | byte_at(skb, 37)) return -2;
	return byte_at(skb, 14) << 8 | byte_at(skb, 33);
}

/* MAC: 4 zero bytes at 14, the IPv4 header from 18; the Ethernet header moved
 * with data (its first byte 0x02 at 0, its type 0x08 at 12) */
SEC("tc") __retval(0x450208)
int adj_mac_grow_layout(struct __sk_buff *skb)
{
	if (bpf_skb_adjust_room(skb, ringb_opaque(4), BPF_ADJ_ROOM_MAC, 0)) return -1;
	if (byte_at(skb, 14) | byte_at(skb, 15) | byte_at(skb, 16) | byte_at(skb, 17)) return -2;
	return byte_at(skb, 18) << 16 | byte_at(skb, 0) << 8 | byte_at(skb, 12);
}

/* MAC shrink by 20: the IPv4 header goes, the padding follows the mac header */
SEC("tc") __retval(0x2c00)
int adj_mac_shrink(struct __sk_buff *skb)
{
	if (bpf_skb_adjust_room(skb, ringb_opaque(-20), BPF_ADJ_ROOM_MAC, 0)) return -1;
	return skb->len << 8 | byte_at(skb, 14);
}

/* NET shrink by 30 leaves 20 bytes from the network header: allowed; 31
 * would leave fewer than the IPv4 header's 20 */
SEC("tc") __retval(34)
int adj_net_shrink_min(struct __sk_buff *skb)
{
	if (bpf_skb_adjust_room(skb, ringb_opaque(-30), BPF_ADJ_ROOM_NET, 0)) return -1;
	return skb->len;
}

SEC("tc") __retval(-524)
int adj_net_shrink_below_min(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(-31), BPF_ADJ_ROOM_NET, 0);
}

SEC("tc") __retval(-524)
int adj_shrink_all(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(-50), BPF_ADJ_ROOM_MAC, 0);
}

SEC("tc") __retval(-22)
int adj_bad_flag(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, 4, BPF_ADJ_ROOM_NET, ringb_opaque(1ULL << 9));
}

SEC("tc") __retval(-14)
int adj_too_much(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(0x1000), BPF_ADJ_ROOM_NET, 0);
}

/* 0xfff bytes is the most; shrunk back, the packet is as it was (and small
 * enough for the test drivers' data_out) */
SEC("tc") __retval(0x40)
int adj_limit(struct __sk_buff *skb)
{
	long r = bpf_skb_adjust_room(skb, ringb_opaque(0xfff), BPF_ADJ_ROOM_NET, 0);
	if (r) return r;
	if (skb->len != 64 + 0xfff) return -1;
	r = bpf_skb_adjust_room(skb, ringb_opaque(-0xfff), BPF_ADJ_ROOM_NET, 0);
	return r ? r : skb->len;
}

SEC("tc") __retval(-524)
int adj_bad_mode(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, 4, ringb_opaque(2), 0);
}

/* the flags come before the length, the length before the mode */
SEC("tc") __retval(-14)
int adj_order(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(0x1000), 7, 0);
}

SEC("tc") __retval(0)
int adj_zero(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(0), BPF_ADJ_ROOM_NET, 0) | (skb->len != 64);
}

/* decapsulation flags only shrink */
SEC("tc") __retval(-22)
int adj_decap_grow(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(4), BPF_ADJ_ROOM_MAC, ADJ_DECAP_L3_IPV4);
}

SEC("tc") __retval(-22)
int adj_decap_both(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(-4), BPF_ADJ_ROOM_MAC, ADJ_DECAP_L3_IPV4 | ADJ_DECAP_L3_IPV6);
}

/* decapsulating to IPv6 needs 40 bytes left and makes the skb IPv6 */
SEC("tc") __retval(0x86dd)
int adj_decap_v6(struct __sk_buff *skb)
{
	if (bpf_skb_adjust_room(skb, ringb_opaque(-4), BPF_ADJ_ROOM_MAC, ADJ_DECAP_L3_IPV6)) return -1;
	return bpf_ntohs(skb->protocol);
}

SEC("tc") __retval(-524)
int adj_decap_v6_short(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(-11), BPF_ADJ_ROOM_MAC, ADJ_DECAP_L3_IPV6);
}

/* encapsulation flags do not shrink */
SEC("tc") __retval(-22)
int adj_encap_shrink(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(-4), BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
}

/* an encapsulation once; the second is -EALREADY */
SEC("tc") __retval(-114)
int adj_encap_twice(struct __sk_buff *skb)
{
	if (bpf_skb_adjust_room(skb, ringb_opaque(20), BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4)) return -1;
	return bpf_skb_adjust_room(skb, ringb_opaque(20), BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
}

/* an IPv6 outer header over IPv4 makes the skb IPv6 */
SEC("tc") __retval(0x86dd)
int adj_encap_v6(struct __sk_buff *skb)
{
	if (bpf_skb_adjust_room(skb, ringb_opaque(40), BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV6)) return -1;
	return bpf_ntohs(skb->protocol);
}

SEC("tc") __retval(-22)
int adj_encap_v4_v6(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(20), BPF_ADJ_ROOM_MAC,
				   BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L3_IPV6);
}

SEC("tc") __retval(-22)
int adj_encap_gre_udp(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(28), BPF_ADJ_ROOM_MAC,
				   BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L4_GRE |
				   BPF_F_ADJ_ROOM_ENCAP_L4_UDP);
}

/* an inner Ethernet header shorter than 14 bytes */
SEC("tc") __retval(-22)
int adj_encap_l2_eth_short(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(40), BPF_ADJ_ROOM_MAC,
				   BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L2_ETH |
				   BPF_F_ADJ_ROOM_ENCAP_L2(8));
}

/* an inner mac header longer than the room */
SEC("tc") __retval(-22)
int adj_encap_l2_too_long(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(20), BPF_ADJ_ROOM_MAC,
				   BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L2(24));
}

SEC("tc") __retval(0)
int adj_encap_gre_eth(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(38), BPF_ADJ_ROOM_MAC,
				   BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L4_GRE |
				   BPF_F_ADJ_ROOM_ENCAP_L2_ETH | BPF_F_ADJ_ROOM_ENCAP_L2(14));
}

/* L4/L2 flags without an L3 encapsulation */
SEC("tc") __retval(0)
int adj_gre_alone(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(4), BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L4_GRE);
}

SEC("tc") __retval(0)
int adj_no_csum_reset(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(4), BPF_ADJ_ROOM_NET,
				   BPF_F_ADJ_ROOM_NO_CSUM_RESET | BPF_F_ADJ_ROOM_FIXED_GSO);
}

/* a protocol other than IPv4/IPv6 to change to */
SEC("tc") __retval(-524)
int change_proto_to_arp(struct __sk_buff *skb)
{
	return bpf_skb_change_proto(skb, bpf_htons(ringb_opaque(0x0806)), 0);
}

/* change_proto: IPv4 -> IPv6 opens 20 bytes after the mac header */
SEC("tc") __retval(0x5486dd)
int change_proto_4_to_6(struct __sk_buff *skb)
{
	if (bpf_skb_change_proto(skb, bpf_htons(0x86dd), 0)) return -1;
	if (byte_at(skb, 14) | byte_at(skb, 33)) return -2;
	if (byte_at(skb, 34) != 0x45) return -3;
	return skb->len << 16 | bpf_ntohs(skb->protocol);
}

SEC("tc") __retval(0x400800)
int change_proto_4_6_4(struct __sk_buff *skb)
{
	if (bpf_skb_change_proto(skb, bpf_htons(0x86dd), 0)) return -1;
	if (bpf_skb_change_proto(skb, bpf_htons(0x0800), 0)) return -2;
	return skb->len << 16 | bpf_ntohs(skb->protocol);
}

SEC("tc") __retval(-524)
int change_proto_same(struct __sk_buff *skb)
{
	return bpf_skb_change_proto(skb, bpf_htons(ringb_opaque(0x0800)), 0);
}

SEC("tc") __retval(-22)
int change_proto_flags(struct __sk_buff *skb)
{
	return bpf_skb_change_proto(skb, bpf_htons(0x86dd), ringb_opaque(1));
}

/* sk_skb: room at the front of the payload, zeroed (hand-worked: the kernel
 * cannot test-run sk_skb) */
SEC("sk_skb") __retval(0x4400)
int sk_skb_adj_grow(struct __sk_buff *skb)
{
	if (bpf_skb_adjust_room(skb, ringb_opaque(4), 0, 0)) return -1;
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 5 > end) return -2;
	if (*(__u32 *)data) return -3;
	return skb->len << 8 | (((__u8 *)data)[4] ^ 0x02);
}

SEC("sk_skb") __retval(60)
int sk_skb_adj_shrink(struct __sk_buff *skb)
{
	if (bpf_skb_adjust_room(skb, ringb_opaque(-4), 0, 0)) return -1;
	return skb->len;
}

SEC("sk_skb") __retval(-22)
int sk_skb_adj_mode(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, 4, ringb_opaque(1), 0);
}

SEC("sk_skb") __retval(-12)
int sk_skb_adj_shrink_past(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, ringb_opaque(-65), 0, 0);
}

