// tracking_backing.h — a Backing for tests: malloc underneath, but it knows
// every block it handed out, so a test can ask what was returned and when,
// and catch leaks and double returns.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "ringb/mem.h"

namespace ringb::testing {

class TrackingBacking {
 public:
  mem::Backing backing();

  size_t live() const;               // blocks handed out and not returned
  uint64_t allocs() const { return allocs_.load(); }
  uint64_t frees() const { return frees_.load(); }
  uint64_t bad_frees() const { return bad_frees_.load(); }  // unknown or twice
  bool was_freed(const void* block) const;  // returned at least once
  // When false, alloc() fails (the backing allocator is "out of memory").
  void set_allow(bool allow) { allow_.store(allow); }

 private:
  static void* alloc_cb(size_t size, void* ctx);
  static void free_cb(void* p, size_t size, void* ctx);

  mutable std::mutex mu_;
  std::unordered_map<const void*, size_t> live_;
  std::unordered_set<const void*> freed_;
  std::atomic<uint64_t> allocs_{0}, frees_{0}, bad_frees_{0};
  std::atomic<bool> allow_{true};
};

}  // namespace ringb::testing
