// cgroup.cc — MemCgroup, the memcg analogue: allocators charge backing memory
// to the cgroup of their creator, and stop growing at its limit.
#include <atomic>

#include "ringb/mem.h"

namespace ringb::mem {

struct MemCgroup::State {
  std::atomic<size_t> charged{0};
  std::atomic<size_t> limit{kUnlimited};
  std::atomic<size_t> failed{0};
};

MemCgroup::MemCgroup(size_t limit_bytes) : s_(std::make_unique<State>()) {
  s_->limit.store(limit_bytes);
}
MemCgroup::~MemCgroup() = default;

size_t MemCgroup::charged() const { return s_->charged.load(std::memory_order_relaxed); }
size_t MemCgroup::limit() const { return s_->limit.load(std::memory_order_relaxed); }
void MemCgroup::set_limit(size_t limit_bytes) { s_->limit.store(limit_bytes); }
size_t MemCgroup::failed_charges() const { return s_->failed.load(std::memory_order_relaxed); }

bool MemCgroup::try_charge(size_t bytes) {
  const size_t limit = s_->limit.load(std::memory_order_relaxed);
  size_t cur = s_->charged.load(std::memory_order_relaxed);
  do {
    if (bytes > limit || cur > limit - bytes) {
      s_->failed.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
  } while (!s_->charged.compare_exchange_weak(cur, cur + bytes, std::memory_order_relaxed));
  return true;
}

void MemCgroup::uncharge(size_t bytes) { s_->charged.fetch_sub(bytes, std::memory_order_relaxed); }

}  // namespace ringb::mem
