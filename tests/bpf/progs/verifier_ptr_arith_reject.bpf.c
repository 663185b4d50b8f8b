/* verifier_ptr_arith_reject: arithmetic on pointers — the operators the
 * kernel refuses on each pointer type, pointer ± pointer, 32-bit forms,
 * pointers turned scalar and then dereferenced, out-of-range constant
 * offsets, packet_end and map pointers, and the accepted edges
 * (pointer - pointer of one packet, pointer ± bounded scalar).
 * Kernel messages checked by tests/kernel, ringb by tests/corpus. */
#include "ringb_test.h"

#define NAKED __attribute__((naked))
#define SKB(f) [f] "i"(__builtin_offsetof(struct __sk_buff, f))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vp_arr SEC(".maps");

#define LOOKUP_VALUE \
	"*(u32 *)(r10 - 4) = 0;" \
	"r2 = r10;" \
	"r2 += -4;" \
	"r1 = %[vp_arr] ll;" \
	"call %[bpf_map_lookup_elem];" \
	"if r0 != 0 goto 1f;" \
	"exit;" \
	"1:"

SEC("tc") __failure __msg("R2 pointer += pointer prohibited")
NAKED int vp_ptr_plus_ptr(void)
{
	asm volatile("r2 = r10; r2 += r1; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __success
NAKED int vp_ctx_minus_stack(void)
{
	asm volatile("r2 = r10; r1 -= r2; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __success
NAKED int vp_neg_pointer(void)
{
	asm volatile("r2 = r10; r2 = -r2; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R2 pointer arithmetic with <<= operator prohibited")
NAKED int vp_lsh_pointer(void)
{
	asm volatile("r2 = r10; r2 <<= 1; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R2 pointer arithmetic with >>= operator prohibited")
NAKED int vp_rsh_pointer(void)
{
	asm volatile("r2 = r10; r2 >>= 1; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R2 bitwise operator |= on pointer prohibited")
NAKED int vp_or_pointer(void)
{
	asm volatile("r2 = r10; r2 |= 1; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R2 bitwise operator ^= on pointer prohibited")
NAKED int vp_xor_pointer(void)
{
	asm volatile("r2 = r10; r2 ^= 1; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R2 pointer arithmetic with /= operator prohibited")
NAKED int vp_div_pointer(void)
{
	asm volatile("r2 = r10; r2 /= 2; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R2 pointer arithmetic with %= operator prohibited")
NAKED int vp_mod_pointer(void)
{
	asm volatile("r2 = r10; r2 %%= 2; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R2 pointer arithmetic with s>>= operator prohibited")
NAKED int vp_arsh_pointer(void)
{
	asm volatile("r2 = r10; r2 s>>= 1; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __success
NAKED int vp_bswap_pointer(void)
{
	asm volatile("r2 = r10; r2 = be64 r2; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R2 tried to subtract pointer from scalar")
NAKED int vp_scalar_minus_ptr(void)
{
	asm volatile("r2 = 0; r2 -= r1; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R1 32-bit pointer arithmetic prohibited")
NAKED int vp_ptr32_add(void)
{
	asm volatile("w1 += 8; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R2 invalid mem access 'scalar'")
NAKED int vp_mov32_ptr_deref(void)
{
	asm volatile("w2 = w10; r0 = *(u64 *)(r2 - 8); r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R3 pointer arithmetic on pkt_end prohibited")
NAKED int vp_pkt_end_add(void)
{
	asm volatile("r3 = *(u32 *)(r1 + %[data_end]); r3 += 1; r0 = 0; exit;" :: SKB(data_end) : __clobber_all);
}

SEC("tc") __failure __msg("R3 invalid mem access 'pkt_end'")
NAKED int vp_pkt_end_deref(void)
{
	asm volatile("r3 = *(u32 *)(r1 + %[data_end]); r0 = *(u8 *)(r3 + 0); r0 = 0; exit;" :: SKB(data_end) : __clobber_all);
}

SEC("tc") __success
NAKED int vp_pkt_len_by_subtraction(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]);"
		     "r3 = *(u32 *)(r1 + %[data_end]);"
		     "r3 -= r2;"
		     "r0 = 0; exit;" :: SKB(data), SKB(data_end) : __clobber_all);
}

SEC("tc") __failure __msg("R1 pointer arithmetic on map_ptr prohibited")
NAKED int vp_map_ptr_add(void)
{
	asm volatile("r1 = %[vp_arr] ll; r1 += 8; r0 = 0; exit;" :: __imm_addr(vp_arr) : __clobber_all);
}

SEC("tc") __failure __msg("math between map_value pointer and 536870912 is not allowed")
NAKED int vp_value_huge_offset(void)
{
	asm volatile(LOOKUP_VALUE "r1 = 0x20000000; r0 += r1; r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vp_arr) : __clobber_all);
}

SEC("tc") __failure __msg("R0 bitwise operator &= on pointer prohibited")
NAKED int vp_value_ptr_and(void)
{
	asm volatile(LOOKUP_VALUE "r0 &= 0xff; r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vp_arr) : __clobber_all);
}

SEC("tc") __failure __msg("R1 invalid mem access 'scalar'")
NAKED int vp_value_minus_value(void)
{
	asm volatile(LOOKUP_VALUE "r1 = r0; r1 += 4; r1 -= r0; r0 = *(u64 *)(r1 + 0); r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vp_arr) : __clobber_all);
}

SEC("tc") __success
NAKED int vp_value_minus_value_is_scalar(void)
{
	asm volatile(LOOKUP_VALUE "r1 = r0; r1 += 4; r1 -= r0; r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vp_arr) : __clobber_all);
}

SEC("tc") __failure __msg("math between fp pointer and register with unbounded min value is not allowed")
NAKED int vp_stack_ptr_unbounded_add(void)
{
	asm volatile("r2 = *(u64 *)(r10 - 8);"
		     "r1 = r10;"
		     "r1 += r2;"
		     "r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __success
NAKED int vp_null_ptr_arith(void)
{
	asm volatile("*(u32 *)(r10 - 4) = 0;"
		     "r2 = r10;"
		     "r2 += -4;"
		     "r1 = %[vp_arr] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "r0 += 8;"
		     "r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vp_arr) : __clobber_all);
}

SEC("tc") __failure __msg("variable ctx access var_off=(0x0; 0x8) disallowed")
NAKED int vp_ctx_var_add(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[mark]); r2 &= 8; r1 += r2; r0 = *(u32 *)(r1 + 0); r0 = 0; exit;"
		     :: SKB(mark) : __clobber_all);
}

SEC("tc") __failure __msg("R2 pointer arithmetic with *= operator prohibited")
NAKED int vp_pkt_ptr_mul(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]); r2 *= 2; r0 = 0; exit;" :: SKB(data) : __clobber_all);
}
