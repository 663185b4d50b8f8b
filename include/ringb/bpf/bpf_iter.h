/* SPDX-License-Identifier: MIT */
/*
 * ringb/bpf/bpf_iter.h - open-coded iterators for BPF C programs, without
 * vmlinux.h: the iterator state structs with the kernel's sizes, the kfunc
 * declarations, and loops written with them.
 *
 *   int i, sum = 0;
 *   bpf_for(i, 0, 10) sum += i;              i = 0, 1, ..., 9
 *   bpf_repeat(5) sum++;                     five times
 *   int *bit;
 *   bpf_for_each(bits, bit, &mask, 1) ...    each set bit of a u64, lowest first
 *
 * Each loop keeps its iterator on the stack and destroys it when the loop's
 * scope ends (the cleanup attribute), as the kernel's verifier requires.
 * bpf_for also re-checks the value against its bounds so the verifier knows
 * the range of i inside the body. The object loads in the kernel and in
 * ringb alike. Needs <linux/bpf.h> and <bpf/bpf_helpers.h> first.
 */
#ifndef RINGB_BPF_ITER_H
#define RINGB_BPF_ITER_H

#include <linux/types.h>

#ifndef __ksym
#define __ksym __attribute__((section(".ksyms")))
#endif

#ifndef RINGB_HAVE_VMLINUX_TYPES
/* The kernel's state: bpf_iter_num {int cur, end}; bpf_iter_bits {a copy of
 * the words or a pointer to one, nr_bits, bit}. */
struct bpf_iter_num { __u64 __opaque[1]; } __attribute__((aligned(8)));
struct bpf_iter_bits { __u64 __opaque[2]; } __attribute__((aligned(8)));
#endif

/* [start, end): 0, or -EINVAL (start > end), -E2BIG (more than 8M steps). */
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
/* The next value, or NULL when done (and after a failed new). */
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

/* The set bits of nr_words u64 words at p (copied at new): 0, or -EINVAL
 * (p NULL, no words), -E2BIG (more than 511 words), -ENOMEM, -EFAULT. */
extern int bpf_iter_bits_new(struct bpf_iter_bits *it, const __u64 *unsafe_ptr__ign, __u32 nr_words) __ksym;
extern int *bpf_iter_bits_next(struct bpf_iter_bits *it) __ksym;
extern void bpf_iter_bits_destroy(struct bpf_iter_bits *it) __ksym;

#ifndef bpf_for_each
/* for each value `cur` (a pointer) of a bpf_iter_TYPE created with ARGS.
 * The (void)destroy reference makes clang emit the destructor's BTF, which
 * it does not do for functions named only in cleanup(). */
#define bpf_for_each(TYPE, cur, ...)                                                     \
  for (struct bpf_iter_##TYPE __ringb_it                                                 \
           __attribute__((aligned(8), cleanup(bpf_iter_##TYPE##_destroy))),              \
       *__ringb_once __attribute__((unused)) =                                           \
           (bpf_iter_##TYPE##_new(&__ringb_it, __VA_ARGS__), (void)bpf_iter_##TYPE##_destroy, \
            (void *)0);                                                                  \
       ((cur) = bpf_iter_##TYPE##_next(&__ringb_it));)
#endif

#ifndef bpf_for
/* for i in [start, end), i an int. */
#define bpf_for(i, start, end)                                                           \
  for (struct bpf_iter_num __ringb_it                                                    \
           __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))),                   \
       *__ringb_once __attribute__((unused)) =                                           \
           (bpf_iter_num_new(&__ringb_it, (start), (end)), (void)bpf_iter_num_destroy,   \
            (void *)0);                                                                  \
       ({                                                                                \
         int *__ringb_v = bpf_iter_num_next(&__ringb_it);                                \
         __ringb_v && ((i) = *__ringb_v, (i) >= (start) && (i) < (end));                 \
       });)
#endif

#ifndef bpf_repeat
/* n times. */
#define bpf_repeat(n)                                                                    \
  for (struct bpf_iter_num __ringb_it                                                    \
           __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))),                   \
       *__ringb_once __attribute__((unused)) =                                           \
           (bpf_iter_num_new(&__ringb_it, 0, (n)), (void)bpf_iter_num_destroy, (void *)0); \
       bpf_iter_num_next(&__ringb_it);)
#endif

#endif /* RINGB_BPF_ITER_H */
