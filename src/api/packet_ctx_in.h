// packet_ctx_in.h — what a test run's ctx_in may say about a packet
// program's context, and what its ctx_out reports, after the kernel's
// net/bpf/test_run.c: convert___skb_to_skb / convert_skb_to___skb for
// __sk_buff, xdp_convert_md_to_buff / xdp_convert_buff_to_md for xdp_md.
// A ctx_in longer than the struct must be zero past it (E2BIG, as
// bpf_check_uarg_tail_zero); a shorter one is zero-filled.
#pragma once

#include <cstdint>
#include <vector>

#include "ringb/error.h"
#include "ringb/test_ctx.h"

namespace ringb::api {

// Sets the fields of `md` the kernel takes from an __sk_buff ctx_in (mark,
// priority, ingress_ifindex, ifindex, cb[], tstamp, wire_len, gso_segs,
// gso_size, hwtstamp); every other byte must be zero (EINVAL). `skb_len` is
// skb->len when the kernel converts (a wire_len must not be below it);
// ifindex > 1 must name a network device of this host (ENODEV).
Status apply_skb_ctx_in(const std::vector<uint8_t>& in, uint32_t skb_len, __sk_buff& md);

// The ctx_out of an skb test run: ctx_in with the fields the kernel writes
// back from the sk_buff after the run.
std::vector<uint8_t> skb_ctx_out(const std::vector<uint8_t>& in, const __sk_buff& md);

// An xdp_md ctx_in: data is the metadata's length (a multiple of 4, at most
// 255, before the packet in data_in), data_end the linear part's end,
// data_meta 0, egress_ifindex 0, ingress_ifindex 0 (lo) or a device with
// rx_queue_index below its queue count.
struct XdpCtxIn {
  uint32_t meta_len = 0;
  uint32_t ingress_ifindex = 1;  // none given: the loopback device's queue 0
  uint32_t rx_queue_index = 0;
};
Expected<XdpCtxIn> parse_xdp_ctx_in(const std::vector<uint8_t>& in, size_t data_in_size);

// The ctx_out of an xdp test run: ctx_in with data and data_end as offsets
// from data_meta after the run.
std::vector<uint8_t> xdp_ctx_out(const std::vector<uint8_t>& in, const xdp_md& md);

}  // namespace ringb::api
