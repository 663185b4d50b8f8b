// probe.cc — fault-tolerant reads (see probe.h).
#include "probe.h"

#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

namespace ringb::vm {

Probe probe_read(void* dst, uint64_t addr, size_t n) {
  if (addr < kProbeNullLimit || addr + n < addr || addr + n > (uint64_t{1} << 57)) return Probe::Fault;
  iovec local{dst, n};
  iovec remote{reinterpret_cast<void*>(addr), n};
  const int saved = errno;  // programs may run in signal handlers
  const long r = syscall(SYS_process_vm_readv, getpid(), &local, 1ul, &remote, 1ul, 0ul);
  const int err = errno;
  errno = saved;
  if (r == static_cast<long>(n)) return Probe::Ok;
  if (r >= 0 || err == EFAULT) return Probe::Fault;  // a partial read: the tail is unmapped
  return Probe::Unavailable;
}

}  // namespace ringb::vm
