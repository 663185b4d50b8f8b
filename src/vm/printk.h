// printk.h — the format language of bpf_trace_printk and bpf_snprintf, with
// the checks of the kernel's bpf_bprintf_prepare (kernel/bpf/helpers.c) and
// the output of its bstr_printf:
//   %d %i %u %x %X, each with l or ll (no h, no z); %c; %s; %%;
//   %p %pK %px (raw pointers; the kernel hashes %p and %pK, ringb prints
//   them as %px does: 16 hex digits), %pks %pus (strings from kernel / user
//   memory), %pi4 %pI4 %pi6 %pI6 (addresses the argument points to), %pB
//   (printed as %px: ringb has no symbols);
//   flags 0 + - and space, a width; no precision, no '#';
//   every character of the format printable ASCII or white space.
// Strings and pointed-to addresses are read without faulting (a fault reads
// as an empty string or zeros, as the kernel's). No allocation: runs may
// happen in signal handlers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringb::vm {

// Formats into out[0..out_size) (always NUL-terminated when out_size > 0)
// and returns the length the whole result has (without its NUL), or
// -EINVAL for a format the kernel refuses (no NUL within fmt_size, an
// unknown or malformed conversion, more conversions than nargs), -ENOSPC
// when the strings exceed the kernel's 512 bytes of copied arguments.
long format_printk(const char* fmt, uint64_t fmt_size, const uint64_t* args, int nargs, char* out,
                   size_t out_size);

}  // namespace ringb::vm
