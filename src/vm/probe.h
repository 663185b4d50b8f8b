// probe.h — fault-tolerant reads, the user-space analogue of the kernel's
// PROBE_MEM loads (copy_from_kernel_nofault): a read of memory that is not
// mapped yields "fault" instead of SIGSEGV.
//
// Async-signal-safe: no allocation, no locks, no signal handler of ringb's
// own; the read is one process_vm_readv(2) on this process, which the kernel
// performs with fault handling and answers EFAULT for unmapped memory.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringb::vm {

enum class Probe { Ok, Fault, Unavailable };

// Below this no mapping can exist (Linux's default vm.mmap_min_addr), so
// NULL plus a field offset faults without a system call.
inline constexpr uint64_t kProbeNullLimit = 64 * 1024;

// Copies n bytes at addr to dst. Unavailable: the system refused the probe
// itself (seccomp, ENOSYS) and nothing was read.
Probe probe_read(void* dst, uint64_t addr, size_t n);

}  // namespace ringb::vm

namespace ringb::vm {

// Copies a NUL-terminated string of at most n bytes (n > 0) at addr, page by
// page, so that a string ending before an unmapped page reads as the
// kernel's bytewise strncpy_from_*_nofault does. Returns the bytes copied
// with their NUL (n when truncated; dst[n-1] is then NUL), or -EFAULT; with
// *unavailable set when the system refused the probe itself.
long probe_read_str(char* dst, uint64_t addr, size_t n, bool* unavailable);

}  // namespace ringb::vm
