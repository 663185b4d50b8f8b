/* verifier_reject: programs the verifier must refuse.  They carry
 * __failure instead of __retval, and __msg with a piece of the verifier's
 * error message; they are never run.  A loader that takes whole objects
 * must skip them (see Corpus.EveryObjectLoadsWhole in tests/kernel).
 * Most are naked BPF assembly, since C that does these things would not
 * compile cleanly.
 *
 * Not here: reading uninitialized stack.  The verifier allows it for
 * programs loaded with CAP_PERFMON/CAP_SYS_ADMIN (allow_uninit_stack), so
 * as root it is accepted. */
#include "ringb_test.h"

/* A packet read without comparing against data_end first. */
SEC("tc") __failure __msg("invalid access to packet")
int reject_packet_without_bounds_check(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data;

	return data[20];
}

/* Division by an immediate zero is rejected at load time (a zero in a
 * register is fine: x / 0 = 0 at run time, see divmod_zero). */
SEC("tc") __failure __msg("div by zero")
__attribute__((naked)) int reject_div_by_zero_imm(void)
{
	asm volatile("r0 = 1; r0 /= 0; exit;");
}

/* Returning without setting r0. */
SEC("syscall") __failure __msg("R0 !read_ok")
__attribute__((naked)) int reject_uninit_r0(void)
{
	asm volatile("exit;");
}

/* A jump to itself never terminates. */
SEC("tc") __failure __msg("infinite loop detected")
__attribute__((naked)) int reject_infinite_loop(void)
{
	asm volatile("r0 = 0; 1: goto 1b;");
}

/* A write to the read-only frame pointer where the verifier's walk arrives.
 * (In code it proves dead the kernel accepts it: dead_code.bpf.c.) ringb
 * loads the program and stops its run with the kernel's message. */
SEC("tc") __failure __msg("frame pointer is read only")
__attribute__((naked)) int reject_reachable_write_to_r10(void)
{
	asm volatile("r0 = 0; r10 = 0; exit;");
}

/* Programs may only look a map of maps up: the host stores inner maps
 * (check_map_func_compatibility). */
struct reject_inner_def {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct reject_inner_def);
} reject_outer SEC(".maps");

SEC("syscall") __failure __msg("cannot pass map_type 12 into func bpf_map_update_elem")
int reject_update_of_map_of_maps(void *ctx)
{
	__u32 key = 0, value = 0;

	return bpf_map_update_elem(&reject_outer, &key, &value, BPF_ANY);
}

SEC("syscall") __failure __msg("cannot pass map_type 12 into func bpf_map_delete_elem")
int reject_delete_of_map_of_maps(void *ctx)
{
	__u32 key = 0;

	return bpf_map_delete_elem(&reject_outer, &key);
}

/* An ld_imm64 naming a map by fd that no relocation resolved: the raw fd 0
 * is no map of the program's (r1 = map_fd 0, written as bytes). Not loaded
 * with the object ("?"): the load refuses it before any verifier runs. */
SEC("?socket") __failure __msg("fd 0 is not pointing to valid bpf_map")
__attribute__((naked)) int reject_unrelocated_map_fd(void)
{
	asm volatile("r2 = 0;"
		     "*(u64 *)(r10 - 8) = r2;"
		     "r2 = r10;"
		     "r2 += -8;"
		     ".8byte 0x1118;"
		     ".8byte 0;"
		     "call %[bpf_map_delete_elem];"
		     "r0 = 0; exit;"
		     :: __imm(bpf_map_delete_elem) : __clobber_all);
}
