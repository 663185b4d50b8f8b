// cpu_scope.h — the cpu a program-side call runs on. Program runs hold a cpu
// slot already (a nested CpuGuard costs a thread-local read); a caller that
// holds none gets one for the call, so the map's per-cpu structures are never
// touched without one. cpu() is -1 only in a signal handler that interrupted
// its thread while it was taking or giving back a slot: callers return -EBUSY.
#pragma once

#include <optional>

#include "ringb/cpu.h"

namespace ringb::maps::detail {

class CpuScope {
 public:
  CpuScope() : cpu_(cpu::current()) {
    if (cpu_ < 0) [[unlikely]] {
      guard_.emplace();
      cpu_ = guard_->cpu();
    }
  }
  int cpu() const { return cpu_; }

 private:
  int cpu_;
  std::optional<cpu::CpuGuard> guard_;
};

}  // namespace ringb::maps::detail
