/* SPDX-License-Identifier: MIT */
/*
 * ringb_test.h - common header for the ringb BPF test corpus (tests/bpf/progs).
 *
 * Every corpus program is a plain clang-compiled BPF program annotated with
 * the same macros the Linux kernel selftests use (tools/testing/selftests/bpf/
 * progs/bpf_misc.h).  The macros expand to BTF decl tags attached to the
 * program's FUNC type, so a test driver can read the expectations straight
 * from the object's .BTF section:
 *
 *   SEC("tc") __retval(42) int prog(struct __sk_buff *skb) { ... }
 *
 * produces a DECL_TAG "comment:test_retval=42" with component_idx == -1
 * pointing at FUNC 'prog'.
 *
 * tests/kernel runs every tagged program with BPF_PROG_TEST_RUN in the real
 * kernel and checks the return value; later the same corpus is run through
 * ringb's own interpreter.
 */
#ifndef RINGB_TEST_H
#define RINGB_TEST_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Expected return value of BPF_PROG_TEST_RUN.  x is stringified (as in the
 * kernel's bpf_misc.h), so write a decimal or 0x-hex literal, possibly
 * negative, or one of the names the kernel's test_loader knows: INT_MIN,
 * INT_MAX, TEST_DATA_LEN (64, the test packet's length), POINTER_VALUE (any
 * value passes). */
#define __retval(x) __attribute__((btf_decl_tag("comment:test_retval=" #x)))
/* The value in the kernel's unprivileged run (ringb has one mode and checks
 * both values). */
#define __retval_unpriv(x) __attribute__((btf_decl_tag("comment:test_retval_unpriv=" #x)))
/* Not a test itself: loaded with every test of the object. */
#define __auxiliary __attribute__((btf_decl_tag("comment:test_auxiliary")))
/* The verifier must accept the program. */
#define __success __attribute__((btf_decl_tag("comment:test_expect_success")))
/* The verifier must reject the program. */
#define __failure __attribute__((btf_decl_tag("comment:test_expect_failure")))
/* The verifier log must contain message m. */
#define __msg(m) __attribute__((btf_decl_tag("comment:test_expect_msg=" m)))
/* Free-form description of what the program checks. */
#define __description(d) __attribute__((btf_decl_tag("comment:test_description=" d)))

/* Operands of naked asm, as bpf_misc.h spells them: a helper or kfunc
 * (call %[name]), a map's address (r1 = %[map] ll), and every register. */
#define __imm(name) [name] "i"(name)
#define __imm_addr(name) [name] "i"(&name)
#define __clobber_all "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"

/* Common error numbers returned (negated) by map helpers.  <errno.h> is a
 * libc header and is not available to -target bpf. */
#define RINGB_EPERM 1
#define RINGB_ENOENT 2
#define RINGB_EFAULT 14
#define RINGB_E2BIG 7
#define RINGB_EEXIST 17
#define RINGB_EINVAL 22
#define RINGB_ENOSPC 28

/* Keep the compiler from constant-folding a value: forces it through a
 * register at run time. */
#define ringb_opaque(x) ({ __typeof__(x) __v = (x); __asm__ volatile("" : "+r"(__v)); __v; })

char _license[] SEC("license") = "GPL";

#endif /* RINGB_TEST_H */
