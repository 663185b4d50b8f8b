/* verifier_states: exploration limits (states.cc). A loop whose states
 * never repeat runs into the kernel's 1,000,000 processed instructions; the
 * explored states at its head keep missing, so they are evicted (the
 * kernel's miss_cnt > hit_cnt * 3 + 3) and every visit compares against a
 * handful of states, not thousands. */
#include "ringb_test.h"

/* A counter that only grows: no two iterations are the same state. */
SEC("tc") __failure __msg("BPF program is too large. Processed 1000001 insn")
__attribute__((naked)) int counter_without_bound(void)
{
  asm volatile(
      "r0 = 5;"
      "if r0 < 4 goto 2f;"
      "1: r0 += 1;"
      "goto 1b;"
      "2: exit;");
}

/* An unknown 16-bit value that a constant keeps moving: the loop's exit
 * test (a bit test) stays undecided on every iteration. */
SEC("tc") __failure __msg("BPF program is too large.")
__attribute__((naked)) int bit_test_loop(void)
{
  asm volatile(
      "r7 = *(u32 *)(r1 + 0);"
      "r7 &= 0xffff;"
      "1: r7 += 0x1ab064b9;"
      "if r7 & 0x702000 goto 1b;"
      "r0 = 0;"
      "exit;");
}

/* Two counters in step, the second one's bound never reached before the
 * first's: the kernel's limit, with a second register changing too. */
SEC("tc") __failure __msg("BPF program is too large.")
__attribute__((naked)) int two_counters(void)
{
  asm volatile(
      "r1 = 0;"
      "r2 = 0;"
      "1: r1 += 1;"
      "r2 += 2;"
      "if r2 != 1 goto 1b;"
      "r0 = 0;"
      "exit;");
}
