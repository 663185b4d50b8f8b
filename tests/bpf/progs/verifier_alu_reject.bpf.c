/* verifier_alu_reject: scalar ALU and atomics — immediate shifts past the
 * width, division and modulo by an immediate zero, atomics on memory that
 * takes none (context, packet, read-only maps) or misaligned, cmpxchg's
 * implicit R0, writes into read-only maps, and the accepted edges (the
 * widest shift, division by a register that may be zero).
 * Kernel messages checked by tests/kernel, ringb by tests/corpus. */
#include "ringb_test.h"

#define NAKED __attribute__((naked))
#define SKB(f) [f] "i"(__builtin_offsetof(struct __sk_buff, f))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} va_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_RDONLY_PROG);
} va_ro SEC(".maps");

#define LOOKUP(map) \
	"*(u32 *)(r10 - 4) = 0;" \
	"r2 = r10;" \
	"r2 += -4;" \
	"r1 = %[" #map "] ll;" \
	"call %[bpf_map_lookup_elem];" \
	"if r0 != 0 goto 1f;" \
	"exit;" \
	"1:"

SEC("tc") __failure __msg("invalid shift 32")
NAKED int va_shift32_by_32(void)
{
	asm volatile("w0 = 1; w0 <<= 32; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __success
NAKED int va_shift32_by_31(void)
{
	asm volatile("w0 = 1; w0 <<= 31; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("invalid shift 64")
NAKED int va_arsh_by_64(void)
{
	asm volatile("r0 = 1; r0 s>>= 64; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __success
NAKED int va_rsh_by_63(void)
{
	asm volatile("r0 = 1; r0 >>= 63; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("div by zero")
NAKED int va_mod_by_zero_imm(void)
{
	asm volatile("r0 = 1; r0 %%= 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("div by zero")
NAKED int va_div32_by_zero_imm(void)
{
	asm volatile("w0 = 1; w0 /= 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("div by zero")
NAKED int va_sdiv_by_zero_imm(void)
{
	asm volatile("r0 = 1; r0 s/= 0; exit;" ::: __clobber_all);
}

/* a register divisor may be zero: the result is then 0, not a fault */
SEC("tc") __success
NAKED int va_div_by_zero_reg(void)
{
	asm volatile("r0 = 1; r1 = 0; r0 /= r1; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("BPF_ATOMIC stores into R2 pkt is not allowed")
NAKED int va_atomic_into_packet(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]);"
		     "r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = r2; r4 += 8;"
		     "if r4 > r3 goto 1f;"
		     "r5 = 1;"
		     "lock *(u64 *)(r2 + 0) += r5;"
		     "1: r0 = 0; exit;" :: SKB(data), SKB(data_end) : __clobber_all);
}

SEC("tc") __failure __msg("misaligned value access off 0+0+2 size 4")
NAKED int va_atomic_misaligned_value(void)
{
	asm volatile(LOOKUP(va_arr) "r1 = 1; lock *(u32 *)(r0 + 2) += w1; r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(va_arr) : __clobber_all);
}

SEC("tc") __success
NAKED int va_atomic_value(void)
{
	asm volatile(LOOKUP(va_arr) "r1 = 1; lock *(u64 *)(r0 + 0) += r1; r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(va_arr) : __clobber_all);
}

SEC("tc") __failure __msg("write into map forbidden, value_size=8 off=0 size=8")
NAKED int va_atomic_read_only_map(void)
{
	asm volatile(LOOKUP(va_ro) "r1 = 1; lock *(u64 *)(r0 + 0) += r1; r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(va_ro) : __clobber_all);
}

SEC("tc") __failure __msg("write into map forbidden, value_size=8 off=0 size=8")
NAKED int va_store_read_only_map(void)
{
	asm volatile(LOOKUP(va_ro) "r1 = 1; *(u64 *)(r0 + 0) = r1; r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(va_ro) : __clobber_all);
}

SEC("tc") __success
NAKED int va_load_read_only_map(void)
{
	asm volatile(LOOKUP(va_ro) "r1 = *(u64 *)(r0 + 0); r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(va_ro) : __clobber_all);
}

SEC("tc") __failure __msg("R0 !read_ok")
NAKED int va_cmpxchg_r0_uninit(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 8) = r1;"
		     "r2 = 1;"
		     "r0 = cmpxchg_64(r10 - 8, r0, r2);"
		     "r0 = 0; exit;" ::: __clobber_all);
}

/* as root, a pointer may be stored into a map value */
SEC("tc") __success
NAKED int va_xchg_pointer_into_value(void)
{
	asm volatile(LOOKUP(va_arr) "r1 = r10; r1 = xchg_64(r0 + 0, r1); r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(va_arr) : __clobber_all);
}

SEC("tc") __failure __msg("R3 !read_ok")
NAKED int va_atomic_src_uninit(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 8) = r1; lock *(u64 *)(r10 - 8) += r3; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R0 !read_ok")
NAKED int va_neg_uninit(void)
{
	asm volatile("r0 = -r0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R3 !read_ok")
NAKED int va_bswap_uninit(void)
{
	asm volatile("r3 = be32 r3; r0 = 0; exit;" ::: __clobber_all);
}

SEC("tc") __failure __msg("R2 invalid mem access 'scalar'")
NAKED int va_movsx_of_pointer_deref(void)
{
	asm volatile("r2 = (s32)r10; r0 = *(u64 *)(r2 - 8); r0 = 0; exit;" ::: __clobber_all);
}
