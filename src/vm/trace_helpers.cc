// trace_helpers.cc — the tracing helpers that need no kernel: probe reads of
// host memory that never fault (src/vm/probe.cc) and stacks.
//
// Address spaces, as x86-64 Linux 6.18 answers (checked with the kernel):
//   bpf_probe_read_kernel(_str)  a user-space address (below 64 KiB here, where
//                                nothing is mapped), a non-canonical one or
//                                the vsyscall page: -ERANGE; in ringb, host
//                                memory plays the kernel's, so the rest is
//                                read, or -EFAULT where unmapped
//   bpf_probe_read_user(_str)    anything that faults: -EFAULT
//   bpf_probe_read(_str)         below TASK_SIZE as user memory, above it as
//                                kernel memory (the compat helpers)
// On an error the destination is zeroed, as the kernel does.
//
// bpf_get_stack / bpf_get_task_stack: ringb runs programs outside any call
// chain the kernel would record, so the stack is empty: 0 bytes copied and
// the buffer zeroed, or -EFAULT when asked to skip frames that are not there;
// bad flags or sizes -EINVAL (__bpf_get_stack).
#include <linux/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "helper_sets.h"
#include "probe.h"
#include "ringb/disasm.h"

namespace ringb::vm {
namespace {

constexpr uint64_t kTaskSize = 0x7ffffffff000ull;  // TASK_SIZE_MAX, 4-level paging
constexpr uint64_t kKernelHalf = 0xffff800000000000ull;
constexpr uint64_t kVsyscall = 0xffffffffff600000ull;
constexpr uint64_t kPage = 4096;  // the vsyscall page's size

void* ptr(uint64_t r) { return reinterpret_cast<void*>(r); }
uint64_t ret(long v) { return static_cast<uint64_t>(v); }

// copy_from_kernel_nofault_allowed on x86-64, with ringb's host memory as
// the kernel's.
bool kernel_range_ok(uint64_t addr) {
  if (addr < kProbeNullLimit) return false;                    // user space
  if (addr >= kTaskSize && addr < kKernelHalf) return false;   // non-canonical
  if ((addr & ~(kPage - 1)) == kVsyscall) return false;
  return true;
}

// Reads n bytes; an error code (-EFAULT) or 0. A refused probe stops the run.
long read(RunState& rs, void* dst, uint64_t addr, uint64_t n) {
  if (!n) return 0;
  switch (probe_read(dst, addr, n)) {
    case Probe::Ok: return 0;
    case Probe::Fault: return -EFAULT;
    case Probe::Unavailable: break;
  }
  rs.fail("a probe read could not be made (process_vm_readv refused)", EFAULT, rs.exe, -1);
  return -EFAULT;
}

long read_str(RunState& rs, char* dst, uint64_t addr, uint64_t n) {
  if (!n) return 0;
  bool unavailable;
  const long r = probe_read_str(dst, addr, n, &unavailable);
  if (unavailable) rs.fail("a probe read could not be made (process_vm_readv refused)", EFAULT, rs.exe, -1);
  return r;
}

uint64_t finish(long r, uint64_t dst, uint64_t size) {
  if (r < 0) std::memset(ptr(dst), 0, size);
  return ret(r);
}

uint64_t probe_read_kernel(RunState& rs, uint64_t dst, uint64_t size, uint64_t src, uint64_t, uint64_t) {
  const uint32_t n = static_cast<uint32_t>(size);
  return finish(kernel_range_ok(src) ? read(rs, ptr(dst), src, n) : -ERANGE, dst, n);
}
uint64_t probe_read_user(RunState& rs, uint64_t dst, uint64_t size, uint64_t src, uint64_t, uint64_t) {
  const uint32_t n = static_cast<uint32_t>(size);
  return finish(read(rs, ptr(dst), src, n), dst, n);
}
uint64_t probe_read_kernel_str(RunState& rs, uint64_t dst, uint64_t size, uint64_t src, uint64_t, uint64_t) {
  const uint32_t n = static_cast<uint32_t>(size);
  if (!n) return 0;
  return finish(kernel_range_ok(src) ? read_str(rs, static_cast<char*>(ptr(dst)), src, n) : -ERANGE, dst, n);
}
uint64_t probe_read_user_str(RunState& rs, uint64_t dst, uint64_t size, uint64_t src, uint64_t, uint64_t) {
  const uint32_t n = static_cast<uint32_t>(size);
  return finish(read_str(rs, static_cast<char*>(ptr(dst)), src, n), dst, n);
}
uint64_t probe_read_compat(RunState& rs, uint64_t dst, uint64_t size, uint64_t src, uint64_t a4, uint64_t a5) {
  return src < kTaskSize ? probe_read_user(rs, dst, size, src, a4, a5) : probe_read_kernel(rs, dst, size, src, a4, a5);
}
uint64_t probe_read_compat_str(RunState& rs, uint64_t dst, uint64_t size, uint64_t src, uint64_t a4, uint64_t a5) {
  return src < kTaskSize ? probe_read_user_str(rs, dst, size, src, a4, a5)
                         : probe_read_kernel_str(rs, dst, size, src, a4, a5);
}

// bpf_copy_from_user: the host's memory is the user's. The task's form
// reads the task's memory: ringb's tasks are threads of this process.
uint64_t copy_from_user(RunState& rs, uint64_t dst, uint64_t size, uint64_t src, uint64_t, uint64_t) {
  const uint32_t n = static_cast<uint32_t>(size);
  return finish(read(rs, ptr(dst), src, n), dst, n);
}
uint64_t copy_from_user_task(RunState& rs, uint64_t dst, uint64_t size, uint64_t src, uint64_t, uint64_t flags) {
  if (flags) return ret(-EINVAL);  // before the size: the kernel's order
  return copy_from_user(rs, dst, size, src, 0, 0);
}

// __bpf_get_stack with no frames.
uint64_t empty_stack(uint64_t buf, uint64_t size, uint64_t flags) {
  const uint32_t n = static_cast<uint32_t>(size);
  const uint64_t skip = flags & BPF_F_SKIP_FIELD_MASK;
  const bool user = flags & BPF_F_USER_STACK, build_id = flags & BPF_F_USER_BUILD_ID;
  long r = 0;
  if (flags & ~uint64_t{BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_USER_BUILD_ID}) r = -EINVAL;
  else if (!user && build_id) r = -EINVAL;
  else if (n % (build_id ? sizeof(bpf_stack_build_id) : sizeof(uint64_t))) r = -EINVAL;
  else if (skip > 0) r = -EFAULT;  // fewer frames than skipped
  std::memset(ptr(buf), 0, n);
  return ret(r);
}
uint64_t get_stack(RunState&, uint64_t, uint64_t buf, uint64_t size, uint64_t flags, uint64_t) {
  return empty_stack(buf, size, flags);
}
uint64_t get_task_stack(RunState&, uint64_t, uint64_t buf, uint64_t size, uint64_t flags, uint64_t) {
  return empty_stack(buf, size, flags);
}

}  // namespace

void add_trace_helpers(Functions& f) {
  const struct {
    int id;
    Function fn;
  } table[] = {
      {4, probe_read_compat},        {45, probe_read_compat_str},  {112, probe_read_user},
      {113, probe_read_kernel},      {114, probe_read_user_str},   {115, probe_read_kernel_str},
      {67, get_stack},               {141, get_task_stack},        {148, copy_from_user},
      {191, copy_from_user_task},
  };
  for (const auto& e : table) f.add_helper(e.id, ringb::helper_name(e.id), e.fn);
}

}  // namespace ringb::vm
