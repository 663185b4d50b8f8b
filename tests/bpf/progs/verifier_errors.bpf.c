/* verifier_errors: one program per rule the verifier enforces, each
 * __failure with the kernel's message (checked in the machine's kernel by
 * tests/kernel and in ringb by `ringb test` / tests/corpus). Naked asm, so
 * the exact instruction stream is what both verifiers see. Every program
 * here is rejected: loaders that take whole objects skip this file. */
#include "ringb_test.h"

#define NAKED __attribute__((naked))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} ve_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} ve_hash SEC(".maps");

struct ve_locked {
	struct bpf_spin_lock lock;
	__u32 n;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ve_locked);
} ve_locks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4);
	__type(value, __u32);
} ve_queue SEC(".maps");

/* r0 = bpf_map_lookup_elem(&MAP, &(u32)0) */
#define LOOKUP(map) \
	"*(u32 *)(r10 - 4) = 0;" \
	"r2 = r10;" \
	"r2 += -4;" \
	"r1 = %[" #map "] ll;" \
	"call %[bpf_map_lookup_elem];"

SEC("tc") __failure __msg("R2 !read_ok")
NAKED int ve_uninit_src(void)
{
	asm volatile("r0 = 0; r0 += r1; r1 = r2; r0 += r1; exit;");
}

SEC("tc") __failure __msg("invalid shift 64")
NAKED int ve_shift_too_far(void)
{
	asm volatile("r0 = 1; r0 <<= 64; exit;");
}

SEC("tc") __failure __msg("invalid write to stack R10 off=-520 size=8")
NAKED int ve_stack_below_frame(void)
{
	asm volatile("*(u64 *)(r10 - 520) = 0; r0 = 0; exit;");
}

SEC("tc") __failure __msg("invalid write to stack R10 off=0 size=4")
NAKED int ve_stack_above_frame(void)
{
	asm volatile("*(u32 *)(r10 + 0) = 0; r0 = 0; exit;");
}

SEC("tc") __failure __msg("misaligned stack access off 0+0+-12 size 8")
NAKED int ve_stack_misaligned(void)
{
	asm volatile("*(u64 *)(r10 - 12) = 0; r0 = 0; exit;");
}

SEC("tc") __failure __msg("R1 invalid mem access 'scalar'")
NAKED int ve_deref_scalar(void)
{
	asm volatile("r1 = 42; r0 = *(u32 *)(r1 + 0); exit;");
}

SEC("tc") __failure __msg("R0 invalid mem access 'map_value_or_null'")
NAKED int ve_lookup_without_null_check(void)
{
	asm volatile(LOOKUP(ve_hash)
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;"
		     :: __imm_addr(ve_hash), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to map value, value_size=8 off=8 size=4")
NAKED int ve_map_value_past_end(void)
{
	asm volatile(LOOKUP(ve_array)
		     "if r0 == 0 goto 1f;"
		     "r0 = *(u32 *)(r0 + 8);"
		     "1: r0 = 0;"
		     "exit;"
		     :: __imm_addr(ve_array), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("tc") __failure __msg("value -2147483648 makes map_value pointer be out of bounds")
NAKED int ve_map_value_negative_index(void)
{
	asm volatile(LOOKUP(ve_array)
		     "if r0 == 0 goto 1f;"
		     "r6 = r0;"
		     "call %[bpf_get_prandom_u32];"
		     "r0 <<= 32;"
		     "r0 s>>= 32;"
		     "if r0 s> 4 goto 1f;"
		     "r6 += r0;"
		     "r0 = r6;"
		     "r0 = *(u8 *)(r0 + 0);"
		     "1: r0 = 0;"
		     "exit;"
		     :: __imm_addr(ve_array), __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("tc") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed")
NAKED int ve_map_value_unbounded_index(void)
{
	asm volatile(LOOKUP(ve_array)
		     "if r0 == 0 goto 1f;"
		     "r6 = r0;"
		     "call %[bpf_get_prandom_u32];"
		     "r6 += r0;"
		     "r0 = r6;"
		     "r0 = *(u8 *)(r0 + 0);"
		     "1: r0 = 0;"
		     "exit;"
		     :: __imm_addr(ve_array), __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("tc") __failure __msg("R0 max value is outside of the allowed memory range")
NAKED int ve_map_value_index_too_big(void)
{
	asm volatile(LOOKUP(ve_array)
		     "if r0 == 0 goto 1f;"
		     "r6 = r0;"
		     "call %[bpf_get_prandom_u32];"
		     "r0 &= 15;"
		     "r6 += r0;"
		     "r0 = r6;"
		     "r0 = *(u8 *)(r0 + 0);"
		     "1: r0 = 0;"
		     "exit;"
		     :: __imm_addr(ve_array), __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("tc") __failure __msg("invalid bpf_context access off=300 size=4")
NAKED int ve_ctx_past_end(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 300); exit;");
}

SEC("tc") __failure __msg("invalid bpf_context access off=0 size=4")
NAKED int ve_ctx_write_len(void)
{
	asm volatile("*(u32 *)(r1 + 0) = 1; r0 = 0; exit;");
}

SEC("tc") __failure __msg("invalid bpf_context access off=76 size=2")
NAKED int ve_ctx_narrow_data(void)
{
	asm volatile("r0 = *(u16 *)(r1 + 76); exit;");
}

SEC("xdp") __failure __msg("invalid bpf_context access off=0 size=4")
NAKED int ve_xdp_ctx_write(void)
{
	asm volatile("*(u32 *)(r1 + 0) = 0; r0 = 0; exit;");
}

SEC("tc") __failure __msg("dereference of modified ctx ptr R1 off=8 disallowed")
NAKED int ve_ctx_modified(void)
{
	asm volatile("r1 += 8; r0 = *(u32 *)(r1 + 0); exit;");
}

SEC("tc") __failure __msg("R1 pointer arithmetic on map_ptr prohibited")
NAKED int ve_map_ptr_arith(void)
{
	asm volatile("r1 = %[ve_array] ll; r1 += 8; r0 = 0; exit;" :: __imm_addr(ve_array) : __clobber_all);
}

SEC("tc") __failure __msg("R0 pointer arithmetic on map_value_or_null prohibited, null-check it first")
NAKED int ve_or_null_arith(void)
{
	asm volatile(LOOKUP(ve_hash)
		     "r0 += 4;"
		     "r0 = 0;"
		     "exit;"
		     :: __imm_addr(ve_hash), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("tc") __failure __msg("R2 bitwise operator &= on pointer prohibited")
NAKED int ve_pointer_and(void)
{
	asm volatile("r2 = r10; r2 &= 7; r0 = 0; exit;");
}

SEC("tc") __failure __msg("R2 pointer arithmetic with *= operator prohibited")
NAKED int ve_pointer_mul(void)
{
	asm volatile("r2 = r10; r2 *= 2; r0 = 0; exit;");
}

SEC("tc") __failure __msg("R2 32-bit pointer arithmetic prohibited")
NAKED int ve_pointer_alu32(void)
{
	asm volatile("r2 = r10; w2 += 4; r0 = 0; exit;");
}

SEC("tc") __failure __msg("R0 tried to subtract pointer from scalar")
NAKED int ve_scalar_minus_pointer(void)
{
	asm volatile("r0 = 1; r0 -= r10; r0 = 0; exit;");
}

SEC("tc") __failure __msg("math between ctx pointer and register with unbounded min value is not allowed")
NAKED int ve_ctx_plus_unbounded(void)
{
	asm volatile("r6 = r1;"
		     "call %[bpf_get_prandom_u32];"
		     "r6 += r0;"
		     "r0 = 0;"
		     "exit;"
		     :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("tc") __failure __msg("invalid access to packet, off=0 size=4, R2(id=0,off=0,r=0)")
NAKED int ve_packet_unchecked(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 76); r0 = *(u32 *)(r2 + 0); exit;");
}

SEC("tc") __failure __msg("invalid access to packet, off=8 size=4, R2(id=0,off=8,r=8)")
NAKED int ve_packet_past_checked_range(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 76);"
		     "r3 = *(u32 *)(r1 + 80);"
		     "r4 = r2;"
		     "r4 += 8;"
		     "if r4 > r3 goto 1f;"
		     "r0 = *(u32 *)(r2 + 4);"
		     "r0 = *(u32 *)(r2 + 8);"
		     "1: r0 = 0;"
		     "exit;");
}

SEC("tc") __failure __msg("R1 type=scalar expected=map_ptr")
NAKED int ve_helper_wants_map(void)
{
	asm volatile("r1 = 0; r2 = 0; call %[bpf_map_lookup_elem]; r0 = 0; exit;"
		     :: __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("tc") __failure __msg("R2 type=scalar expected=fp")
NAKED int ve_helper_wants_key_pointer(void)
{
	asm volatile("r1 = %[ve_array] ll; r2 = 0; call %[bpf_map_lookup_elem]; r0 = 0; exit;"
		     :: __imm_addr(ve_array), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("tc") __failure __msg("expected prog array map for tail call")
NAKED int ve_tail_call_into_array(void)
{
	asm volatile("r2 = %[ve_array] ll; r3 = 0; call %[bpf_tail_call]; r0 = 0; exit;"
		     :: __imm_addr(ve_array), __imm(bpf_tail_call) : __clobber_all);
}

SEC("tc") __failure __msg("cannot pass map_type 2 into func bpf_map_peek_elem#89")
NAKED int ve_peek_on_array(void)
{
	asm volatile("r1 = %[ve_array] ll; r2 = r10; r2 += -8; call %[bpf_map_peek_elem]; r0 = 0; exit;"
		     :: __imm_addr(ve_array), __imm(bpf_map_peek_elem) : __clobber_all);
}

SEC("tc") __failure __msg("program of this type cannot use helper bpf_probe_read#4")
NAKED int ve_unknown_helper(void)
{
	asm volatile("call 4; r0 = 0; exit;");
}

SEC("tc") __failure __msg("infinite loop detected at insn 2")
NAKED int ve_infinite_loop_two_insns(void)
{
	asm volatile("r0 = 0; r1 = 0; 1: r1 += 0; goto 1b;");
}

SEC("tc") __failure __msg("unreachable insn 2")
NAKED int ve_unreachable(void)
{
	asm volatile("r0 = 0; exit; r0 = 1; exit;");
}

SEC("tc") __failure __msg("bpf_spin_unlock without taking a lock")
NAKED int ve_unlock_without_lock(void)
{
	asm volatile(LOOKUP(ve_locks)
		     "if r0 == 0 goto 1f;"
		     "r1 = r0;"
		     "call %[bpf_spin_unlock];"
		     "1: r0 = 0;"
		     "exit;"
		     :: __imm_addr(ve_locks), __imm(bpf_map_lookup_elem), __imm(bpf_spin_unlock) : __clobber_all);
}

SEC("tc") __failure __msg("BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region")
NAKED int ve_exit_with_lock_held(void)
{
	asm volatile(LOOKUP(ve_locks)
		     "if r0 == 0 goto 1f;"
		     "r1 = r0;"
		     "call %[bpf_spin_lock];"
		     "1: r0 = 0;"
		     "exit;"
		     :: __imm_addr(ve_locks), __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock) : __clobber_all);
}

SEC("tc") __failure __msg("function calls are not allowed while holding a lock")
NAKED int ve_call_under_lock(void)
{
	asm volatile(LOOKUP(ve_locks)
		     "if r0 == 0 goto 1f;"
		     "r6 = r0;"
		     "r1 = r0;"
		     "call %[bpf_spin_lock];"
		     "call %[bpf_get_prandom_u32];"
		     "r1 = r6;"
		     "call %[bpf_spin_unlock];"
		     "1: r0 = 0;"
		     "exit;"
		     :: __imm_addr(ve_locks), __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock),
			__imm(bpf_spin_unlock), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("tc") __failure __msg("bpf_spin_lock cannot be accessed directly by load/store")
NAKED int ve_lock_direct_access(void)
{
	asm volatile(LOOKUP(ve_locks)
		     "if r0 == 0 goto 1f;"
		     "r0 = *(u32 *)(r0 + 0);"
		     "1: r0 = 0;"
		     "exit;"
		     :: __imm_addr(ve_locks), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("tc") __failure __msg("map 've_array' has no valid bpf_spin_lock")
NAKED int ve_lock_without_lock_field(void)
{
	asm volatile(LOOKUP(ve_array)
		     "if r0 == 0 goto 1f;"
		     "r1 = r0;"
		     "call %[bpf_spin_lock];"
		     "1: r0 = 0;"
		     "exit;"
		     :: __imm_addr(ve_array), __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock) : __clobber_all);
}

SEC("tc") __failure __msg("R2 invalid zero-sized read")
NAKED int ve_zero_size_helper(void)
{
	asm volatile("r6 = r1;"
		     "r1 = r10;"
		     "r1 += -8;"
		     "r2 = 0;"
		     "call %[bpf_get_current_comm];"
		     "r0 = 0;"
		     "exit;"
		     :: __imm(bpf_get_current_comm) : __clobber_all);
}

SEC("tc") __failure __msg("invalid write to stack R1 off=-8 size=16")
NAKED int ve_helper_stack_too_small(void)
{
	asm volatile("r1 = r10;"
		     "r1 += -8;"
		     "r2 = 16;"
		     "call %[bpf_get_current_comm];"
		     "r0 = 0;"
		     "exit;"
		     :: __imm(bpf_get_current_comm) : __clobber_all);
}

SEC("tc") __failure __msg("invalid size of register spill")
NAKED int ve_narrow_pointer_spill(void)
{
	asm volatile("*(u32 *)(r10 - 8) = r1; r0 = 0; exit;");
}

SEC("tc") __failure __msg("invalid size of register fill")
NAKED int ve_narrow_pointer_fill(void)
{
	asm volatile("*(u64 *)(r10 - 8) = r1; r0 = *(u32 *)(r10 - 8); exit;");
}

/* A helper that may move the packet (bpf_skb_pull_data) leaves no packet
 * pointer valid: the one kept in r7 is a scalar afterwards. */
SEC("tc") __failure __msg("R7 invalid mem access 'scalar'")
NAKED int ve_packet_pointer_after_pull_data(void)
{
	asm volatile("r6 = r1;"
		     "r2 = *(u32 *)(r6 + 76);"
		     "r3 = *(u32 *)(r6 + 80);"
		     "r4 = r2;"
		     "r4 += 8;"
		     "if r4 > r3 goto 1f;"
		     "r7 = r2;"
		     "r1 = r6;"
		     "r2 = 0;"
		     "call 39;"
		     "r0 = *(u8 *)(r7 + 0);"
		     "exit;"
		     "1: r0 = 0;"
		     "exit;");
}

/* The same pointer spilled to the stack and filled back is no better. */
SEC("tc") __failure __msg("R7 invalid mem access 'scalar'")
NAKED int ve_spilled_packet_pointer_after_change_tail(void)
{
	asm volatile("r6 = r1;"
		     "r2 = *(u32 *)(r6 + 76);"
		     "r3 = *(u32 *)(r6 + 80);"
		     "r4 = r2;"
		     "r4 += 8;"
		     "if r4 > r3 goto 1f;"
		     "*(u64 *)(r10 - 8) = r2;"
		     "r1 = r6;"
		     "r2 = 64;"
		     "r3 = 0;"
		     "call 38;"
		     "r7 = *(u64 *)(r10 - 8);"
		     "r0 = *(u8 *)(r7 + 0);"
		     "exit;"
		     "1: r0 = 0;"
		     "exit;");
}
