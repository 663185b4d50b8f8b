/* ld_abs_offsets: the legacy packet loads (LD_ABS, LD_IND) with the special
 * negative offsets of classic BPF: SKF_NET_OFF (-0x100000) counts from the
 * network header, SKF_LL_OFF (-0x200000) from the link-layer (mac) header.
 * Below SKF_LL_OFF, or outside the packet, the program ends with r0 = 0.
 *
 * In a tc test run the mac header is the start of the packet (the Ethernet
 * header of ringb_test_packet.h) and the network header follows it at 14.
 * Loads of 2 and 4 bytes are in network order, turned into host order. clang
 * has no syntax for these offsets, so the instructions are written raw:
 * RAW(code, dst, src, off, imm) is one struct bpf_insn. */
#include "ringb_test.h"

#define RAW(code, dst, src, off, imm)                                           \
	((unsigned long long)(code) | ((unsigned long long)((src) << 4 | (dst)) << 8) | \
	 ((unsigned long long)(unsigned short)(off) << 16) |                    \
	 ((unsigned long long)(unsigned int)(imm) << 32))
#define LD_ABS_B 0x30
#define LD_ABS_H 0x28
#define LD_ABS_W 0x20
#define LD_IND_W 0x40
#define NET_OFF (-0x100000)
#define LL_OFF (-0x200000)

/* The IPv4 protocol byte (UDP, 17) at network header + 9. */
SEC("tc") __retval(17)
__attribute__((naked)) int ld_abs_net_off_proto(void)
{
	asm volatile("r6 = r1;"
		     ".8byte %[ld];"
		     "exit;"
		     :: [ld] "i"(RAW(LD_ABS_B, 0, 0, 0, NET_OFF + 9)));
}

/* The ethertype (0x0800) at mac header + 12. */
SEC("tc") __retval(2048)
__attribute__((naked)) int ld_abs_ll_off_ethertype(void)
{
	asm volatile("r6 = r1;"
		     ".8byte %[ld];"
		     "exit;"
		     :: [ld] "i"(RAW(LD_ABS_H, 0, 0, 0, LL_OFF + 12)));
}

/* LD_IND through r7 (the kernel's helper call must not clobber the callee-
 * saved r7): bytes 8..11 of the mac header, 00 00 00 01, then r0 << 8 | r7. */
SEC("tc") __retval(264)
__attribute__((naked)) int ld_ind_ll_off_keeps_r7(void)
{
	asm volatile("r6 = r1;"
		     "r7 = 8;"
		     ".8byte %[ld];"
		     "r0 <<= 8;"
		     "r0 += r7;"
		     "exit;"
		     :: [ld] "i"(RAW(LD_IND_W, 0, 7, 0, LL_OFF)));
}

/* LD_IND from the network header: daddr 10.0.0.2 at 16. */
SEC("tc") __retval(167772162)
__attribute__((naked)) int ld_ind_net_off_daddr(void)
{
	asm volatile("r6 = r1;"
		     "r2 = 16;"
		     ".8byte %[ld];"
		     "exit;"
		     :: [ld] "i"(RAW(LD_IND_W, 0, 2, 0, NET_OFF)));
}

/* The last byte of the packet through the network header (14 + 49 = 63)
 * loads; one further is outside and ends the program with 0. */
SEC("tc") __retval(7)
__attribute__((naked)) int ld_abs_net_off_last_byte(void)
{
	asm volatile("r6 = r1;"
		     ".8byte %[ld];"
		     "r0 += 7;"
		     "exit;"
		     :: [ld] "i"(RAW(LD_ABS_B, 0, 0, 0, NET_OFF + 49)));
}

SEC("tc") __retval(0)
__attribute__((naked)) int ld_abs_net_off_past_end(void)
{
	asm volatile("r6 = r1;"
		     ".8byte %[ld];"
		     "r0 = 7;"
		     "exit;"
		     :: [ld] "i"(RAW(LD_ABS_B, 0, 0, 0, NET_OFF + 50)));
}

/* Below SKF_LL_OFF no offset is special: the load fails. */
SEC("tc") __retval(0)
__attribute__((naked)) int ld_abs_below_ll_off(void)
{
	asm volatile("r6 = r1;"
		     ".8byte %[ld];"
		     "r0 = 7;"
		     "exit;"
		     :: [ld] "i"(RAW(LD_ABS_B, 0, 0, 0, LL_OFF - 1)));
}

/* The mac header through a 32-bit LD_IND offset that wraps: r2 = 0xffffffff
 * plus imm 13 is offset 12 in 32 bits (the kernel adds in 32 bits). */
SEC("tc") __retval(8)
__attribute__((naked)) int ld_ind_offset_wraps_32(void)
{
	asm volatile("r6 = r1;"
		     "r2 = 0xffffffff ll;"
		     ".8byte %[ld];"
		     "r0 >>= 8;"
		     "exit;"
		     :: [ld] "i"(RAW(0x48, 0, 2, 0, 13)));
}

/* A socket filter's data starts at the network header (the test run's
 * eth_type_trans pulled the Ethernet header): offset 9 and SKF_NET_OFF + 9
 * are both the protocol byte, SKF_LL_OFF + 12 the ethertype in front of the
 * data. r0 = 17 * 2 + (0x0800 == ethertype). */
SEC("socket") __retval(35)
__attribute__((naked)) int socket_ld_abs_net_and_ll(void)
{
	asm volatile("r6 = r1;"
		     ".8byte %[plain];"
		     "r7 = r0;"
		     ".8byte %[net];"
		     "r7 += r0;"
		     ".8byte %[ll];"
		     "if r0 != 0x800 goto 1f;"
		     "r7 += 1;"
		     "1: r0 = r7;"
		     "exit;"
		     :: [plain] "i"(RAW(LD_ABS_B, 0, 0, 0, 9)),
			[net] "i"(RAW(LD_ABS_B, 0, 0, 0, NET_OFF + 9)),
			[ll] "i"(RAW(LD_ABS_H, 0, 0, 0, LL_OFF + 12)));
}

/* The last byte of a socket filter's packet is at network offset 49 (64 - 14);
 * 50 is past the end, which ends the program with 0. */
SEC("socket") __retval(0)
__attribute__((naked)) int socket_ld_abs_net_off_past_end(void)
{
	asm volatile("r6 = r1;"
		     ".8byte %[ld];"
		     "r0 = 5;"
		     "exit;"
		     :: [ld] "i"(RAW(LD_ABS_B, 0, 0, 0, NET_OFF + 50)));
}
