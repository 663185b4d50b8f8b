#include "mem/tracking_backing.h"

#include <cstdlib>

namespace ringb::testing {

mem::Backing TrackingBacking::backing() {
  mem::Backing b;
  b.alloc = alloc_cb;
  b.free = free_cb;
  b.ctx = this;
  return b;
}

void* TrackingBacking::alloc_cb(size_t size, void* ctx) {
  auto* self = static_cast<TrackingBacking*>(ctx);
  if (!self->allow_.load()) return nullptr;
  void* p = std::malloc(size);
  std::lock_guard<std::mutex> lock(self->mu_);
  self->live_[p] = size;
  self->freed_.erase(p);
  self->allocs_.fetch_add(1);
  return p;
}

void TrackingBacking::free_cb(void* p, size_t size, void* ctx) {
  auto* self = static_cast<TrackingBacking*>(ctx);
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    auto it = self->live_.find(p);
    if (it == self->live_.end() || it->second != size) {
      self->bad_frees_.fetch_add(1);
      return;  // never hand malloc a pointer it does not own
    }
    self->live_.erase(it);
    self->freed_.insert(p);
    self->frees_.fetch_add(1);
  }
  std::free(p);
}

size_t TrackingBacking::live() const {
  std::lock_guard<std::mutex> lock(mu_);
  return live_.size();
}

bool TrackingBacking::was_freed(const void* block) const {
  std::lock_guard<std::mutex> lock(mu_);
  return freed_.count(block) != 0;
}

}  // namespace ringb::testing
