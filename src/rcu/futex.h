// futex.h — wait/wake on a 32-bit atomic word. Both are plain system calls,
// so they are safe in signal handlers (unlike std::mutex/condition_variable).
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace ringb::detail {

// Sleeps while `word` still holds `expected` (returns at once otherwise, and
// may return spuriously).
inline void futex_wait(std::atomic<uint32_t>& word, uint32_t expected) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, nullptr,
          nullptr, 0);
}

// futex_wait for at most `ns` nanoseconds.
inline void futex_wait_for(std::atomic<uint32_t>& word, uint32_t expected, long ns) {
  timespec ts{ns / 1000000000, ns % 1000000000};
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, &ts,
          nullptr, 0);
}

inline void futex_wake(std::atomic<uint32_t>& word, int count) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, count, nullptr,
          nullptr, 0);
}

inline void cpu_relax() { __builtin_ia32_pause(); }

}  // namespace ringb::detail
