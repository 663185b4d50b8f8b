/* verifier_regress: programs the kernel accepts that ringb's verifier once
 * refused, each with the rule it needs. Most are naked assembly whose dead
 * branch reads an uninitialised register: the verifier must prove it dead. */
#include "ringb_test.h"
#include "bpf_objects.h"
#include "bpf_experimental.h"

/* a hash map: its lookups may return NULL whatever the key */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} regress_hash SEC(".maps");

/* 48-byte values */
struct regress_value {
  __u64 v[6];
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct regress_value);
} regress_wide SEC(".maps");

/* A spilled scalar and its register stay linked: the check on the
 * register holds for the filled copy too (sync of linked scalars through
 * stack slots). */
SEC("tc") __retval(0)
__attribute__((naked)) int spill_fill_keeps_link(void)
{
  asm volatile(
      "call %[bpf_get_prandom_u32];"
      "*(u64 *)(r10 - 8) = r0;"
      "if r0 > 16 goto 1f;"
      "r0 = *(u64 *)(r10 - 8);"
      "if r0 <= 16 goto 1f;"
      "r0 = *(u64 *)(r9 + 0);" /* dead: r9 is not initialised */
      "1: r0 = 0;"
      "exit;"
      :
      : __imm(bpf_get_prandom_u32)
      : __clobber_all);
}

/* The same with a 32-bit spill of a 32-bit value. */
SEC("tc") __retval(0)
__attribute__((naked)) int spill32_fill32_keeps_link(void)
{
  asm volatile(
      "call %[bpf_get_prandom_u32];"
      "w0 &= 0x80000000;"
      "*(u32 *)(r10 - 8) = r0;"
      "r1 = *(u32 *)(r10 - 8);"
      "r2 = 0;"
      "if r1 != r2 goto 1f;"
      "if r0 == r2 goto 1f;"
      "r0 = *(u64 *)(r9 + 0);" /* dead */
      "exit;"
      "1: r0 = 0;"
      "exit;"
      :
      : __imm(bpf_get_prandom_u32)
      : __clobber_all);
}

/* w3 = w2 of a value with its upper half zero: a check on w2 bounds r3. */
SEC("tc") __retval(0)
__attribute__((naked)) int mov32_keeps_link(void)
{
  asm volatile(
      "call %[bpf_ktime_get_ns];"
      "*(u64 *)(r10 - 8) = r0;"
      "r2 = *(u32 *)(r10 - 8);"
      "w3 = w2;"
      "r0 = 0;"
      "if w2 < 9 goto 1f;"
      "exit;"
      "1: if r3 < 9 goto 2f;"
      "r0 -= r1;" /* dead: r1 is not initialised */
      "2: exit;"
      :
      : __imm(bpf_ktime_get_ns)
      : __clobber_all);
}

/* s64 range [-128, 127] and u64 <= 0xffffffffffffff00: only [0, 127] is
 * left (a signed range that wraps refines the unsigned one, Linux 6.10+). */
SEC("tc") __retval(0)
__attribute__((naked)) int wrapped_signed_range(void)
{
  asm volatile(
      "call %[bpf_get_prandom_u32];"
      "r0 = (s8)r0;"
      "r1 = 0xffffffffffffff00 ll;"
      "if r0 > r1 goto 1f;"
      "if r0 < 128 goto 1f;"
      "r10 = 0;" /* dead */
      "1: r0 = 0;"
      "exit;"
      :
      : __imm(bpf_get_prandom_u32)
      : __clobber_all);
}

/* Two lookups of the same key; where the checked pointer equals the
 * unchecked one, the second is not NULL either. */
SEC("tc") __retval(0)
__attribute__((naked)) int equal_pointers_not_null(void)
{
  asm volatile(
      "r1 = 0;"
      "*(u32 *)(r10 - 8) = r1;"
      "r9 = r10;"
      "r9 += -8;"
      "r1 = %[regress_hash] ll;"
      "r2 = r9;"
      "call %[bpf_map_lookup_elem];"
      "r6 = r0;"
      "r1 = %[regress_hash] ll;"
      "r2 = r9;"
      "call %[bpf_map_lookup_elem];"
      "r7 = r0;"
      "if r6 == 0 goto 1f;"
      "if r6 != r7 goto 1f;"
      "r0 = *(u64 *)(r7 + 0);"
      "1: r0 = 0;"
      "exit;"
      :
      : __imm(bpf_map_lookup_elem), __imm_addr(regress_hash)
      : __clobber_all);
}

/* A packet pointer with a variable part, checked against data_end at +8:
 * a read at +4 is within what the check proved. */
SEC("tc") __retval(0)
__attribute__((naked)) int packet_variable_offset(void)
{
  asm volatile(
      "r0 = 1;"
      "r4 = *(u32 *)(r1 + %[end]);"
      "r3 = *(u32 *)(r1 + %[data]);"
      "r5 = r3;"
      "r5 += 14;"
      "if r5 > r4 goto 2f;"
      "r4 = *(u8 *)(r3 + 12);"
      "r4 &= 7;"
      "r3 = *(u32 *)(r1 + %[data]);"
      "r3 += r4;"
      "r2 = r3;"
      "r2 += 8;"
      "r1 = *(u32 *)(r1 + %[end]);"
      "if r2 > r1 goto 1f;"
      "r1 = *(u8 *)(r3 + 4);"
      "1: r0 = 0;"
      "2: exit;"
      :
      : [data] "i"(__builtin_offsetof(struct __sk_buff, data)),
        [end] "i"(__builtin_offsetof(struct __sk_buff, data_end))
      : __clobber_all);
}

struct counted {
  long v;
  struct bpf_refcount ref;
};

/* bpf_refcount_acquire of an owning reference cannot fail: no NULL check. */
SEC("tc") __retval(123)
int refcount_acquire_of_owned(struct __sk_buff *skb)
{
  struct counted *n = bpf_obj_new(struct counted), *m;
  long v;

  if (!n)
    return 1;
  m = bpf_refcount_acquire(n);
  m->v = 123;
  v = n->v;
  bpf_obj_drop(m);
  bpf_obj_drop(n);
  return v;
}

/* Past a throw the range is what the non-throwing side proved (what the
 * bpf_assert macros rely on): the index is within the array. */
SEC("tc") __retval(3)
int throw_refines_range(struct __sk_buff *skb)
{
  __u8 table[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  __u64 i = ringb_opaque(3);

  if (i >= 8)
    bpf_throw(1);
  asm volatile("" : "+r"(i));
  return table[i];
}

/* A 32-bit left shift of [0, 10] by 2 is [0, 40] (the kernel's
 * scalar32_min_max_lsh), not the tnum's [0, 60]: an 8-byte store at that
 * offset of a 48-byte value is in bounds. */
SEC("tc") __retval(0)
__attribute__((naked)) int shift_keeps_range(void)
{
  asm volatile(
      "r1 = 0;"
      "*(u64 *)(r10 - 8) = r1;"
      "r2 = r10;"
      "r2 += -8;"
      "r1 = %[regress_wide] ll;"
      "call %[bpf_map_lookup_elem];"
      "if r0 == 0 goto 1f;"
      "r1 = *(u32 *)(r0 + 0);"
      "if r1 < 11 goto 2f;"
      "w1 = 0;"
      "2: w1 <<= 2;"
      "r0 += r1;"
      "r1 = 0;"
      "*(u64 *)(r0 + 0) = r1;"
      "1: r0 = 0;"
      "exit;"
      :
      : __imm(bpf_map_lookup_elem), __imm_addr(regress_wide)
      : __clobber_all);
}
