// probe.cc — fault-tolerant reads (see probe.h).
#include "probe.h"

#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

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

long probe_read_str(char* dst, uint64_t addr, size_t n, bool* unavailable) {
  constexpr uint64_t kPage = 4096;
  *unavailable = false;
  size_t done = 0;
  while (done < n) {
    const uint64_t a = addr + done;
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(n - done, kPage - (a & (kPage - 1))));
    const Probe p = probe_read(dst + done, a, chunk);
    if (p != Probe::Ok) {
      *unavailable = p == Probe::Unavailable;
      return -EFAULT;
    }
    if (const void* z = std::memchr(dst + done, 0, chunk)) return static_cast<const char*>(z) - dst + 1;
    done += chunk;
  }
  dst[n - 1] = 0;
  return static_cast<long>(n);
}

}  // namespace ringb::vm
