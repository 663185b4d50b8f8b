/* skb: SEC("tc") programs reading their context (struct __sk_buff, whose
 * field loads the verifier rewrites into loads from the real sk_buff) and
 * the packet through skb->data / skb->data_end with the bounds checks the
 * verifier requires.  Input: the 64-byte packet of ringb_test_packet.h
 * (Ethernet + IPv4 10.0.0.1 -> 10.0.0.2, proto 17, ttl 64, csum 0x54a3). */
#include "ringb_test.h"
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>

/* skb->len and data_end - data are both 64: returns 64 * 1000 + 64. */
SEC("tc") __retval(64064)
int skb_len(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	return (int)(skb->len * 1000 + (data_end - data));
}

/* skb->protocol holds the ethertype in network byte order: the u32 field
 * reads 0x0008 on little-endian; ntohs gives ETH_P_IP = 0x0800.
 * returns raw * 10000 + host = 80000 + 2048. */
SEC("tc") __retval(82048)
int skb_protocol(struct __sk_buff *skb)
{
	__u32 raw = skb->protocol;

	return (int)(raw * 10000 + bpf_ntohs((__u16)raw));
}

/* Ethernet header through direct packet access: ethertype 0x0800, last
 * bytes of dst (2) and src (1) MACs.
 * returns dst * 100000 + src * 10000 + ethertype = 212048. */
SEC("tc") __retval(212048)
int skb_eth_header(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	return eth->h_dest[5] * 100000 + eth->h_source[5] * 10000 + bpf_ntohs(eth->h_proto);
}

/* IPv4 header fields: ttl << 16 | protocol << 8 | ihl = 0x401105, plus
 * version * 100000000 = 4 * 10^8 + 4198661. */
SEC("tc") __retval(404198661)
int skb_ipv4_fields(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);

	if ((void *)(ip + 1) > data_end)
		return -1;
	return ip->version * 100000000 + (ip->ttl << 16 | ip->protocol << 8 | ip->ihl);
}

/* The IPv4 header checksum, recomputed with the checksum field skipped:
 * 0x54a3 = 21667; summing all ten words including it gives 0xffff (valid).
 * returns csum * 10 + valid = 216671. */
SEC("tc") __retval(216671)
int skb_ipv4_csum(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u16 *w = data + sizeof(struct ethhdr);
	__u32 sum = 0, all = 0;

	if ((void *)(w + 10) > data_end)
		return -1;
	for (int i = 0; i < 10; i++) {
		__u16 word = bpf_ntohs(w[i]);
		all += word;
		if (i != 5)
			sum += word;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	all = (all & 0xffff) + (all >> 16);
	all = (all & 0xffff) + (all >> 16);
	return (int)((~sum & 0xffff) * 10 + (all == 0xffff));
}

/* Bounds checks: 64 bytes are there, 100 are not. returns 1234 when the
 * 100-byte check fails and the 64-byte one passes. */
SEC("tc") __retval(1234)
int skb_bounds(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	if (data + 100 <= data_end)
		return -1;
	if (data + 64 > data_end)
		return -2;
	return 1234;
}

/* bpf_skb_load_bytes copies the addresses at offset 26: ntohl(saddr)
 * + ntohl(daddr) = 0x0a000001 + 0x0a000002 = 0x14000003. */
SEC("tc") __retval(335544323)
int skb_load_bytes(struct __sk_buff *skb)
{
	__u32 addr[2];

	if (bpf_skb_load_bytes(skb, 26, addr, sizeof(addr)))
		return -1;
	return (int)(bpf_ntohl(addr[0]) + bpf_ntohl(addr[1]));
}

/* Writes: direct store of ttl = 1, then bpf_skb_store_bytes of a new daddr
 * 192.168.0.9 (which invalidates packet pointers: reload data/data_end),
 * read back both. returns ttl * 1000 + last daddr byte * 10 + (ok) = 1091. */
SEC("tc") __retval(1091)
int skb_write(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u32 daddr = bpf_htonl(0xc0a80009);

	if ((void *)(ip + 1) > data_end)
		return -1;
	ip->ttl = 1;
	long err = bpf_skb_store_bytes(skb, 30, &daddr, sizeof(daddr), 0);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	ip = data + sizeof(struct ethhdr);
	if ((void *)(ip + 1) > data_end)
		return -2;
	return ip->ttl * 1000 + (bpf_ntohl(ip->daddr) & 0xff) * 10 + (err == 0);
}

/* Sign-extending loads from the packet: byte 25 (0xa3) as s8 = -93; bytes
 * 24..25 (0x54 0xa3) as a little-endian s16 = 0xa354 = -23724.
 * returns a * 100000 + b = -9323724. */
SEC("tc") __retval(-9323724)
int skb_ldsx(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	if (data + 26 > data_end)
		return -1;
	__s64 a = *(volatile __s8 *)(data + 25);
	__s64 b = *(volatile __s16 *)(data + 24);
	return (int)(a * 100000 + b);
}

/* A loop over every packet byte with a bounds check per access: the sum of
 * all 64 bytes is 525, their xor 0xd9 (217); returns sum * 1000 + xor. */
SEC("tc") __retval(525217)
int skb_sum_bytes(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 sum = 0, x = 0;

	for (int i = 0; i < 64; i++) {
		__u8 *p = data + i;
		if ((void *)(p + 1) > data_end)
			return -1;
		sum += *p;
		x ^= *p;
	}
	return (int)(sum * 1000 + x);
}

/* Writable context fields: mark starts at 0 (test run with no ctx_in),
 * written 7 and read back; priority likewise 0 -> 3.
 * returns before * 1000 + mark * 10 + priority = 73. */
SEC("tc") __retval(73)
int skb_mark_priority(struct __sk_buff *skb)
{
	__u32 before = skb->mark + skb->priority;

	skb->mark = ringb_opaque(7u);
	skb->priority = ringb_opaque(3u);
	return (int)(before * 1000 + skb->mark * 10 + skb->priority);
}
