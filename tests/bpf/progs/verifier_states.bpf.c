/* verifier_states: exploration limits (states.cc). A loop whose states
 * never repeat runs into the kernel's 1,000,000 processed instructions; the
 * explored states at its head keep missing, so they are evicted (the
 * kernel's miss_cnt > hit_cnt * 3 + 3) and every visit compares against a
 * handful of states, not thousands. (One program only: the kernel needs
 * about 10 s of its own for the million instructions on this machine; the
 * selftests' short_loop1 and the like it takes a minute or more for.) */
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
