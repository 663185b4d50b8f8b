/* SPDX-License-Identifier: MIT */
/*
 * ringb/bpf/bpf_experimental.h - for programs written like the kernel's
 * selftests (`#include "bpf_experimental.h"`): the same macros and kfunc
 * declarations, from ringb's own bpf_objects.h, with the usual libbpf
 * headers first.
 */
#ifndef RINGB_BPF_EXPERIMENTAL_H
#define RINGB_BPF_EXPERIMENTAL_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "bpf_objects.h"

/* BPF exceptions: bpf_throw(cookie) ends the program from any depth. The
 * program then returns the cookie, or, when it is declared with
 * __exception_cb(fn), what the global function fn(cookie) returns. */
extern void bpf_throw(__u64 cookie) __ksym;
#ifndef __exception_cb
#define __exception_cb(name) __attribute__((btf_decl_tag("exception_callback:" #name)))
#endif

/* may_goto (BPF_JMP | BPF_JCOND): falls through while the frame's loop
 * budget lasts, jumps once it is spent. can_loop is true while it lasts;
 * cond_break leaves the enclosing loop when it is spent. */
#ifndef can_loop
#define can_loop                                                  \
	({                                                        \
		__label__ l_break, l_continue;                    \
		int __can_loop = 1;                               \
		asm volatile goto("may_goto %l[l_break]" :::: l_break); \
		goto l_continue;                                  \
	l_break:                                                  \
		__can_loop = 0;                                   \
	l_continue:;                                              \
		__can_loop;                                       \
	})
#endif
#ifndef cond_break
#define cond_break                                                \
	({                                                        \
		__label__ l_break, l_continue;                    \
		asm volatile goto("may_goto %l[l_break]" :::: l_break); \
		goto l_continue;                                  \
	l_break:                                                  \
		break;                                            \
	l_continue:;                                              \
	})
#endif

#endif /* RINGB_BPF_EXPERIMENTAL_H */
