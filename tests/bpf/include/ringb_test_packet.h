/* SPDX-License-Identifier: MIT */
/*
 * ringb_test_packet.h - the fixed 64-byte input packet for SEC("tc") corpus
 * programs.
 *
 * Plain C, usable from C++ test drivers (tests/kernel, later the ringb
 * interpreter tests) and from BPF programs alike.  Test drivers pass exactly
 * these bytes as BPF_PROG_TEST_RUN data_in, so skb->len == 64 and
 * skb->protocol == htons(ETH_P_IP).
 *
 *   0  Ethernet  dst 02:00:00:00:00:02  src 02:00:00:00:00:01  type 0x0800
 *  14  IPv4      45 00 | tot_len 20 | id 0x1234 | frag 0 | ttl 64 |
 *                proto 17 (UDP) | csum 0x54a3 (valid) |
 *                saddr 10.0.0.1 | daddr 10.0.0.2
 *  34  30 bytes of zero padding
 */
#ifndef RINGB_TEST_PACKET_H
#define RINGB_TEST_PACKET_H

#define RINGB_TEST_PACKET_LEN 64

/* clang-format off */
#define RINGB_TEST_PACKET_BYTES                                              \
  /* Ethernet: dst, src, ethertype */                                        \
  0x02, 0x00, 0x00, 0x00, 0x00, 0x02,                                        \
  0x02, 0x00, 0x00, 0x00, 0x00, 0x01,                                        \
  0x08, 0x00,                                                                \
  /* IPv4: ver/ihl, tos, tot_len, id, frag_off, ttl, proto, csum */          \
  0x45, 0x00, 0x00, 0x14, 0x12, 0x34, 0x00, 0x00, 0x40, 0x11, 0x54, 0xa3,    \
  /* saddr 10.0.0.1, daddr 10.0.0.2 */                                       \
  0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,                            \
  /* padding to 64 bytes */                                                  \
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                               \
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
/* clang-format on */

#endif /* RINGB_TEST_PACKET_H */
