/* verifier_helper_args_reject: helper arguments against their prototypes —
 * map pointers, keys and values of the wrong kind or size, memory and size
 * pairs (negative, unbounded, zero, past the end of the memory), context
 * arguments, uninitialised argument registers, helpers a program type may
 * not call, and the accepted edges (a key in a map value, the exact size).
 * Kernel messages checked by tests/kernel, ringb by tests/corpus. */
#include "ringb_test.h"

#define NAKED __attribute__((naked))
#define SKB(f) [f] "i"(__builtin_offsetof(struct __sk_buff, f))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} vh_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u64);
	__type(value, __u32);
} vh_hash SEC(".maps");

#define LOOKUP_VALUE \
	"*(u32 *)(r10 - 4) = 0;" \
	"r2 = r10;" \
	"r2 += -4;" \
	"r1 = %[vh_arr] ll;" \
	"call %[bpf_map_lookup_elem];" \
	"if r0 != 0 goto 1f;" \
	"exit;" \
	"1:"

SEC("tc") __failure __msg("R1 type=fp expected=map_ptr")
NAKED int vh_map_arg_is_stack(void)
{
	asm volatile("r1 = r10; r2 = r10; r2 += -8; call %[bpf_map_lookup_elem]; r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("tc") __failure __msg("R1 type=map_value expected=map_ptr")
NAKED int vh_map_arg_is_value(void)
{
	asm volatile(LOOKUP_VALUE "r1 = r0; r2 = r10; r2 += -4; call %[bpf_map_lookup_elem]; r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vh_arr) : __clobber_all);
}

SEC("tc") __failure __msg("R2 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_")
NAKED int vh_key_is_ctx(void)
{
	asm volatile("r2 = r1; r1 = %[vh_arr] ll; call %[bpf_map_lookup_elem]; r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vh_arr) : __clobber_all);
}

SEC("tc") __failure __msg("invalid read from stack R2 off=-4 size=8")
NAKED int vh_key_too_small_on_stack(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 8) = r1;"
		     "r2 = r10; r2 += -4;"
		     "r1 = %[vh_hash] ll;"
		     "call %[bpf_map_lookup_elem]; r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vh_hash) : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=8 off=4 size=8") __msg("R2 min value is outside of the allowed memory range")
NAKED int vh_key_in_value_too_small(void)
{
	asm volatile(LOOKUP_VALUE "r2 = r0; r2 += 4; r1 = %[vh_hash] ll; call %[bpf_map_lookup_elem]; r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vh_arr), __imm_addr(vh_hash) : __clobber_all);
}

SEC("tc") __success
NAKED int vh_key_in_value_fits(void)
{
	asm volatile(LOOKUP_VALUE "r2 = r0; r1 = %[vh_hash] ll; call %[bpf_map_lookup_elem]; r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vh_arr), __imm_addr(vh_hash) : __clobber_all);
}

SEC("tc") __failure __msg("R3 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_")
NAKED int vh_update_value_scalar(void)
{
	asm volatile("*(u32 *)(r10 - 4) = 0;"
		     "r2 = r10; r2 += -4;"
		     "r3 = 0; r4 = 0;"
		     "r1 = %[vh_arr] ll;"
		     "call %[bpf_map_update_elem]; r0 = 0; exit;"
		     :: __imm(bpf_map_update_elem), __imm_addr(vh_arr) : __clobber_all);
}

SEC("tc") __failure __msg("invalid read from stack R3 off=-4 size=8")
NAKED int vh_update_value_past_top(void)
{
	asm volatile("*(u32 *)(r10 - 4) = 0;"
		     "r2 = r10; r2 += -4;"
		     "r3 = r10; r3 += -4;"
		     "r4 = 0;"
		     "r1 = %[vh_arr] ll;"
		     "call %[bpf_map_update_elem]; r0 = 0; exit;"
		     :: __imm(bpf_map_update_elem), __imm_addr(vh_arr) : __clobber_all);
}

SEC("tc") __failure __msg("R4 !read_ok")
NAKED int vh_update_flags_uninit(void)
{
	asm volatile("*(u32 *)(r10 - 4) = 0;"
		     "r2 = r10; r2 += -4;"
		     "r3 = r10; r3 += -16;"
		     "r1 = %[vh_arr] ll;"
		     "call %[bpf_map_update_elem]; r0 = 0; exit;"
		     :: __imm(bpf_map_update_elem), __imm_addr(vh_arr) : __clobber_all);
}

SEC("tc") __failure __msg("R2 !read_ok")
NAKED int vh_key_uninit_reg(void)
{
	asm volatile("r1 = %[vh_arr] ll; call %[bpf_map_lookup_elem]; r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vh_arr) : __clobber_all);
}

SEC("tc") __failure __msg("R2 min value is negative, either use unsigned or 'var &= const'")
NAKED int vh_probe_read_negative_size(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[mark]);"
		     "r2 = (s32)r2;"
		     "if r2 s> 8 goto 1f;"
		     "r1 = r10; r1 += -8;"
		     "r3 = 0;"
		     "call %[bpf_probe_read_kernel];"
		     "1: r0 = 0; exit;"
		     :: SKB(mark), __imm(bpf_probe_read_kernel) : __clobber_all);
}

SEC("tc") __failure __msg("R2 unbounded memory access, use 'var &= const' or 'if (var < const)'")
NAKED int vh_probe_read_unbounded_size(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[mark]);"
		     "r1 = r10; r1 += -8;"
		     "r3 = 0;"
		     "call %[bpf_probe_read_kernel];"
		     "r0 = 0; exit;"
		     :: SKB(mark), __imm(bpf_probe_read_kernel) : __clobber_all);
}

SEC("tc") __failure __msg("R1 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_")
NAKED int vh_probe_read_into_ctx(void)
{
	asm volatile("r2 = 4; r3 = 0; call %[bpf_probe_read_kernel]; r0 = 0; exit;"
		     :: __imm(bpf_probe_read_kernel) : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=8 off=0 size=16") __msg("R1 min value is outside of the allowed memory range")
NAKED int vh_probe_read_past_value(void)
{
	asm volatile(LOOKUP_VALUE "r1 = r0; r2 = 16; r3 = 0; call %[bpf_probe_read_kernel]; r0 = 0; exit;"
		     :: __imm(bpf_probe_read_kernel), __imm(bpf_map_lookup_elem), __imm_addr(vh_arr) : __clobber_all);
}

SEC("tc") __success
NAKED int vh_probe_read_whole_value(void)
{
	asm volatile(LOOKUP_VALUE "r1 = r0; r2 = 8; r3 = 0; call %[bpf_probe_read_kernel]; r0 = 0; exit;"
		     :: __imm(bpf_probe_read_kernel), __imm(bpf_map_lookup_elem), __imm_addr(vh_arr) : __clobber_all);
}

SEC("tc") __failure __msg("R1 type=fp expected=ctx")
NAKED int vh_skb_load_bytes_ctx_not_ctx(void)
{
	asm volatile("r1 = r10; r2 = 0; r3 = r10; r3 += -8; r4 = 8; call %[bpf_skb_load_bytes]; r0 = 0; exit;"
		     :: __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("tc") __failure __msg("R4 invalid zero-sized read: u64=[0,0]")
NAKED int vh_skb_load_bytes_zero_len(void)
{
	asm volatile("r2 = 0; r3 = r10; r3 += -8; r4 = 0; call %[bpf_skb_load_bytes]; r0 = 0; exit;"
		     :: __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("tc") __success
NAKED int vh_skb_load_bytes_exact(void)
{
	asm volatile("r2 = 0; r3 = r10; r3 += -8; r4 = 8; call %[bpf_skb_load_bytes]; r0 = 0; exit;"
		     :: __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("tc") __failure __msg("invalid write to stack R3 off=-8 size=9")
NAKED int vh_skb_load_bytes_buf_too_small(void)
{
	asm volatile("r2 = 0; r3 = r10; r3 += -8; r4 = 9; call %[bpf_skb_load_bytes]; r0 = 0; exit;"
		     :: __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("tc") __failure __msg("R1 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_")
NAKED int vh_trace_printk_fmt_scalar(void)
{
	asm volatile("r1 = 0; r2 = 4; call %[bpf_trace_printk]; r0 = 0; exit;"
		     :: __imm(bpf_trace_printk) : __clobber_all);
}

SEC("xdp") __failure __msg("program of this type cannot use helper bpf_skb_load_bytes#26")
NAKED int vh_xdp_calls_skb_helper(void)
{
	asm volatile("r2 = 0; r3 = r10; r3 += -8; r4 = 8; call %[bpf_skb_load_bytes]; r0 = 2; exit;"
		     :: __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("tc") __failure __msg("R3 !read_ok")
NAKED int vh_tail_call_index_reg_uninit(void)
{
	asm volatile("r2 = %[vh_arr] ll; call %[bpf_tail_call]; r0 = 0; exit;"
		     :: __imm(bpf_tail_call), __imm_addr(vh_arr) : __clobber_all);
}

SEC("tc") __failure __msg("R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_")
NAKED int vh_delete_on_array_key_ptr_scalar(void)
{
	asm volatile("r1 = %[vh_hash] ll; r2 = 8; call %[bpf_map_delete_elem]; r0 = 0; exit;"
		     :: __imm(bpf_map_delete_elem), __imm_addr(vh_hash) : __clobber_all);
}

SEC("tc") __failure __msg("R0 invalid mem access 'map_value_or_null'")
NAKED int vh_lookup_result_unchecked(void)
{
	asm volatile("*(u64 *)(r10 - 8) = 0;"
		     "r2 = r10; r2 += -8;"
		     "r1 = %[vh_hash] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "r0 = *(u32 *)(r0 + 0);"
		     "r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem), __imm_addr(vh_hash) : __clobber_all);
}

SEC("tc") __failure __msg("R1 !read_ok")
NAKED int vh_r0_clobbered_r1_read(void)
{
	asm volatile("call %[bpf_get_prandom_u32]; r0 = r1; exit;"
		     :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

/* A NULL memory argument (ARG_PTR_TO_MEM_OR_NULL) is allowed only with a
 * size of zero: check_helper_mem_access's NULL case. */
SEC("tc") __failure __msg("R1 type=scalar expected=fp")
NAKED int vh_csum_diff_null_with_size(void)
{
	asm volatile("r1 = 0; r2 = 4; r3 = 0; r4 = 0; r5 = 0; call %[bpf_csum_diff]; r0 = 0; exit;"
		     :: __imm(bpf_csum_diff) : __clobber_all);
}

SEC("tc") __failure __msg("R1 type=scalar expected=fp")
NAKED int vh_csum_diff_null_with_size_range(void)
{
	asm volatile("call %[bpf_get_prandom_u32]; r2 = r0; r2 &= 4; r1 = 0; r3 = 0; r4 = 0; r5 = 0;"
		     "call %[bpf_csum_diff]; r0 = 0; exit;"
		     :: __imm(bpf_csum_diff), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("tc") __success
NAKED int vh_csum_diff_null_zero_size(void)
{
	asm volatile("r1 = 0; r2 = 0; r3 = 0; r4 = 0; r5 = 0; call %[bpf_csum_diff]; r0 = 0; exit;"
		     :: __imm(bpf_csum_diff) : __clobber_all);
}
