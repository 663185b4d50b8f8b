// printk.h — bpf_trace_printk's format language: %d %i %u %x %X %c %s %p
// with optional l/ll, widths and flags, %%; at most `nargs` arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ringb::vm {

// Formats into `out`; returns its length, or -EINVAL for a format the kernel
// would refuse (not NUL-terminated within fmt_size, unknown conversion, too
// many arguments).
long format_printk(const char* fmt, uint64_t fmt_size, const uint64_t* args, int nargs,
                   std::string& out);

}  // namespace ringb::vm
