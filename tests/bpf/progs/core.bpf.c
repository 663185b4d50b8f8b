/* core: CO-RE relocations (bpf_core_read.h).  The kernel resolves them
 * against its own BTF (vmlinux), ringb against the object's: for these UAPI
 * types both say the same, so the results agree.  Type ids differ between
 * the two, so only their being non-zero is asserted. */
#include "ringb_test.h"
#include <bpf/bpf_core_read.h>
#include <linux/if_ether.h>
#include <linux/ip.h>

/* struct ethhdr: h_dest[6], h_source[6], h_proto. */
SEC("tc") __retval(12)
int core_field_offset(struct __sk_buff *skb)
{
	return bpf_core_field_offset(struct ethhdr, h_proto);
}

SEC("tc") __retval(216)
int core_sizes(struct __sk_buff *skb)
{
	/* 14 * 10 + 6 * 10 + 2 * 8 */
	return bpf_core_type_size(struct ethhdr) * 10 +
	       bpf_core_field_size(struct ethhdr, h_source) * 10 +
	       bpf_core_field_size(struct iphdr, tot_len) * 8;
}

SEC("tc") __retval(3)
int core_exists(struct __sk_buff *skb)
{
	return bpf_core_field_exists(struct iphdr, saddr) +
	       bpf_core_type_exists(struct ethhdr) +
	       bpf_core_enum_value_exists(enum bpf_map_type, BPF_MAP_TYPE_HASH);
}

SEC("tc") __retval(27)
int core_enum_value(struct __sk_buff *skb)
{
	return bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF);
}

/* The version bitfield of an iphdr whose first byte is 0x45: version 4,
 * ihl 5 — read through FIELD_LSHIFT_U64/RSHIFT_U64 relocations. */
SEC("tc") __retval(45)
int core_bitfields(struct __sk_buff *skb)
{
	struct iphdr ip = {};
	*(volatile __u8 *)&ip = 0x45;
	return BPF_CORE_READ_BITFIELD(&ip, version) * 10 + BPF_CORE_READ_BITFIELD(&ip, ihl);
}

SEC("tc") __retval(1)
int core_type_ids(struct __sk_buff *skb)
{
	return bpf_core_type_id_local(struct ethhdr) != 0 && bpf_core_type_id_kernel(struct ethhdr) != 0;
}
