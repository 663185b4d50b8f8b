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

#endif /* RINGB_BPF_EXPERIMENTAL_H */
