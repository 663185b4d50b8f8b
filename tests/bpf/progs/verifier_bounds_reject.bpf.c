/* verifier_bounds_reject: scalar ranges and what they allow — map value and
 * packet accesses through constant, masked, shifted and compared offsets,
 * off by one past the end, signed checks that leave the minimum unbounded,
 * 32-bit checks of 64-bit values. Each __failure has the kernel's message
 * (tests/kernel checks it in the machine's kernel, tests/corpus in ringb);
 * the __success ones are the accepted edges (the last byte, the exact bound).
 * Naked asm: both verifiers see exactly these instructions. */
#include "ringb_test.h"

#define NAKED __attribute__((naked))

struct vb_val {
	__u64 a;
	__u64 b;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct vb_val);
} vb_arr SEC(".maps");

/* r0 = bpf_map_lookup_elem(&vb_arr, &(u32)0); exit 0 when NULL; r1 = an
 * unknown u64 read from the value */
#define LOOKUP_VALUE \
	"*(u32 *)(r10 - 4) = 0;" \
	"r2 = r10;" \
	"r2 += -4;" \
	"r1 = %[vb_arr] ll;" \
	"call %[bpf_map_lookup_elem];" \
	"if r0 != 0 goto 1f;" \
	"exit;" \
	"1: r1 = *(u64 *)(r0 + 0);"

SEC("tc") __failure __msg("invalid access to map value, value_size=16 off=16 size=8") __msg("R0 min value is outside of the allowed memory range")
NAKED int vb_const_past_end(void)
{
	asm volatile(LOOKUP_VALUE "r1 = *(u64 *)(r0 + 16); r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=16 off=-1 size=1") __msg("R0 min value is outside of the allowed memory range")
NAKED int vb_const_before_start(void)
{
	asm volatile(LOOKUP_VALUE "r1 = *(u8 *)(r0 - 1); r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=16 off=12 size=8") __msg("R0 min value is outside of the allowed memory range")
NAKED int vb_const_straddles_end(void)
{
	asm volatile(LOOKUP_VALUE "r1 = *(u64 *)(r0 + 12); r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=16 off=16 size=1") __msg("R0 max value is outside of the allowed memory range")
NAKED int vb_jgt_off_by_one(void)
{
	asm volatile(LOOKUP_VALUE
		     "if r1 > 16 goto 2f;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 0);"
		     "2: r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

/* the accepted edge: index <= 15 reads the last byte */
SEC("tc") __success
NAKED int vb_jgt_exact_bound(void)
{
	asm volatile(LOOKUP_VALUE
		     "if r1 > 15 goto 2f;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 0);"
		     "2: r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=16 off=9 size=8") __msg("R0 max value is outside of the allowed memory range")
NAKED int vb_jge_wide_read(void)
{
	asm volatile(LOOKUP_VALUE
		     "if r1 >= 10 goto 2f;"
		     "r0 += r1;"
		     "r1 = *(u64 *)(r0 + 0);"
		     "2: r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __success
NAKED int vb_jge_wide_read_fits(void)
{
	asm volatile(LOOKUP_VALUE
		     "if r1 >= 9 goto 2f;"
		     "r0 += r1;"
		     "r1 = *(u64 *)(r0 + 0);"
		     "2: r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed")
NAKED int vb_signed_upper_only(void)
{
	asm volatile(LOOKUP_VALUE
		     "if r1 s> 8 goto 2f;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 0);"
		     "2: r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __failure __msg("R0 min value is negative, either use unsigned index or do a if (index >=0) check.")
NAKED int vb_signed_range_negative(void)
{
	asm volatile(LOOKUP_VALUE
		     "if r1 s> 8 goto 2f;"
		     "if r1 s< -8 goto 2f;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 0);"
		     "2: r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __success
NAKED int vb_signed_range_both_ends(void)
{
	asm volatile(LOOKUP_VALUE
		     "if r1 s> 15 goto 2f;"
		     "if r1 s< 0 goto 2f;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 0);"
		     "2: r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=16 off=31 size=1") __msg("R0 max value is outside of the allowed memory range")
NAKED int vb_mask_too_wide(void)
{
	asm volatile(LOOKUP_VALUE
		     "r1 &= 31;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 0);"
		     "r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __success
NAKED int vb_mask_fits(void)
{
	asm volatile(LOOKUP_VALUE
		     "r1 &= 15;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 0);"
		     "r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=16 off=24 size=8") __msg("R0 max value is outside of the allowed memory range")
NAKED int vb_shifted_index(void)
{
	asm volatile(LOOKUP_VALUE
		     "r1 &= 3;"
		     "r1 <<= 3;"
		     "r0 += r1;"
		     "r1 = *(u64 *)(r0 + 0);"
		     "r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __success
NAKED int vb_shifted_index_fits(void)
{
	asm volatile(LOOKUP_VALUE
		     "r1 &= 1;"
		     "r1 <<= 3;"
		     "r0 += r1;"
		     "r1 = *(u64 *)(r0 + 0);"
		     "r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed")
NAKED int vb_mod_bound(void)
{
	asm volatile(LOOKUP_VALUE
		     "r1 %%= 17;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 0);"
		     "r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=16 off=31 size=1") __msg("R0 max value is outside of the allowed memory range")
NAKED int vb_rsh_bound(void)
{
	asm volatile(LOOKUP_VALUE
		     "r1 >>= 59;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 0);"
		     "r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __success
NAKED int vb_rsh_bound_fits(void)
{
	asm volatile(LOOKUP_VALUE
		     "r1 >>= 60;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 0);"
		     "r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

/* a 32-bit check bounds only the low half: the upper 32 bits stay unknown */
SEC("tc") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed")
NAKED int vb_jmp32_leaves_upper(void)
{
	asm volatile(LOOKUP_VALUE
		     "if w1 > 8 goto 2f;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 0);"
		     "2: r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

/* a 32-bit mov zero-extends: then the 32-bit check bounds all of it */
SEC("tc") __success
NAKED int vb_jmp32_after_zext(void)
{
	asm volatile(LOOKUP_VALUE
		     "w1 = w1;"
		     "if w1 > 8 goto 2f;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 0);"
		     "2: r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=16 off=16 size=1") __msg("R0 max value is outside of the allowed memory range")
NAKED int vb_two_checks_sum(void)
{
	asm volatile(LOOKUP_VALUE
		     "r2 = *(u64 *)(r0 + 8);"
		     "if r1 > 8 goto 2f;"
		     "if r2 > 8 goto 2f;"
		     "r1 += r2;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 0);"
		     "2: r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __failure __msg("R0 min value is negative, either use unsigned index or do a if (index >=0) check.")
NAKED int vb_sub_goes_negative(void)
{
	asm volatile(LOOKUP_VALUE
		     "if r1 > 8 goto 2f;"
		     "r1 -= 4;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 0);"
		     "2: r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=16 off=16 size=1") __msg("R0 max value is outside of the allowed memory range")
NAKED int vb_const_offset_plus_var(void)
{
	asm volatile(LOOKUP_VALUE
		     "r1 &= 7;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 9);"
		     "r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=16 off=255 size=1") __msg("R0 max value is outside of the allowed memory range")
NAKED int vb_jeq_does_not_bound(void)
{
	asm volatile(LOOKUP_VALUE
		     "if r1 == 4 goto 2f;"
		     "r1 &= 0xff;"
		     "r0 += r1;"
		     "r1 = *(u8 *)(r0 + 0);"
		     "2: r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vb_arr) : __clobber_all);
}

/* the packet: data + 8 <= data_end proves 8 bytes, not 9 */
SEC("tc") __failure __msg("invalid access to packet, off=8 size=1, R2(id=0,off=8,r=8)") __msg("R2 offset is outside of the packet")
NAKED int vb_pkt_one_past(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]);"
		     "r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = r2;"
		     "r4 += 8;"
		     "if r4 > r3 goto 1f;"
		     "r0 = *(u8 *)(r2 + 8);"
		     "1: r0 = 0; exit;"
		     :: [data] "i"(__builtin_offsetof(struct __sk_buff, data)),
		        [data_end] "i"(__builtin_offsetof(struct __sk_buff, data_end))
		     : __clobber_all);
}

SEC("tc") __success
NAKED int vb_pkt_last_byte(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]);"
		     "r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = r2;"
		     "r4 += 8;"
		     "if r4 > r3 goto 1f;"
		     "r0 = *(u8 *)(r2 + 7);"
		     "1: r0 = 0; exit;"
		     :: [data] "i"(__builtin_offsetof(struct __sk_buff, data)),
		        [data_end] "i"(__builtin_offsetof(struct __sk_buff, data_end))
		     : __clobber_all);
}

/* the check is the wrong way round: the fall-through knows nothing */
SEC("tc") __failure __msg("invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)") __msg("R2 offset is outside of the packet")
NAKED int vb_pkt_check_reversed(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]);"
		     "r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = r2;"
		     "r4 += 8;"
		     "if r4 <= r3 goto 1f;"
		     "r0 = *(u8 *)(r2 + 0);"
		     "1: r0 = 0; exit;"
		     :: [data] "i"(__builtin_offsetof(struct __sk_buff, data)),
		        [data_end] "i"(__builtin_offsetof(struct __sk_buff, data_end))
		     : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to packet, off=0 size=1, R2(id=1,off=0,r=0)") __msg("R2 offset is outside of the packet")
NAKED int vb_pkt_var_offset_unbounded(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]);"
		     "r3 = *(u32 *)(r1 + %[data_end]);"
		     "r5 = *(u32 *)(r1 + %[mark]);"
		     "r2 += r5;"
		     "r4 = r2;"
		     "r4 += 8;"
		     "if r4 > r3 goto 1f;"
		     "r0 = *(u8 *)(r2 + 0);"
		     "1: r0 = 0; exit;"
		     :: [data] "i"(__builtin_offsetof(struct __sk_buff, data)),
		        [data_end] "i"(__builtin_offsetof(struct __sk_buff, data_end)),
		        [mark] "i"(__builtin_offsetof(struct __sk_buff, mark))
		     : __clobber_all);
}

SEC("xdp") __failure __msg("invalid access to packet, off=14 size=2, R2(id=0,off=14,r=14)") __msg("R2 offset is outside of the packet")
NAKED int vb_xdp_after_eth(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]);"
		     "r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = r2;"
		     "r4 += 14;"
		     "if r4 > r3 goto 1f;"
		     "r0 = *(u16 *)(r2 + 14);"
		     "1: r0 = 2; exit;"
		     :: [data] "i"(__builtin_offsetof(struct xdp_md, data)),
		        [data_end] "i"(__builtin_offsetof(struct xdp_md, data_end))
		     : __clobber_all);
}

