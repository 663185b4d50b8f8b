// redirect_entry.h — what the XDP redirect maps (devmap.cc, cpumap.cc,
// xskmap.cc) share: the entry a slot or hash bucket points at, its
// retirement after a grace period, and the array-style get_next_key.
//
// An entry's value is what the kernel's lookup returns a pointer to
// (struct bpf_devmap_val / bpf_cpumap_val: a u32 — ifindex or qsize — and
// the entry program's id), so a program's lookup and bpf_redirect_map read
// it lock-free; writers (the host: programs cannot update these maps) take
// the map's mutex, swap pointers and retire what they took out.
#pragma once

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>

#include "area.h"
#include "ringb/maps.h"
#include "ringb/rcu.h"

namespace ringb::maps::detail {

struct RedirectEntry : rcu::Head {
  uint32_t key = 0;                             // DEVMAP_HASH: the entry's key
  std::atomic<RedirectEntry*> next{nullptr};    // DEVMAP_HASH: the bucket's chain
  alignas(8) uint32_t value[2] = {0, 0};        // {ifindex or qsize, bpf_prog.id}
  ProgRef prog;                                 // the entry program, if any
};

inline void free_redirect_entry(rcu::Head* h) { delete static_cast<RedirectEntry*>(h); }
inline void redirect_entry_after_tasks_trace(rcu::Head* h) {
  rcu::call(rcu::Domain::Rcu, h, free_redirect_entry);
}
// Frees `e` once no program run (sleepable or not) can still see it.
inline void retire_redirect_entry(RedirectEntry* e) {
  if (e) rcu::call(rcu::Domain::TasksTrace, e, redirect_entry_after_tasks_trace);
}

// bpf_prog_map_compatible for the maps whose entries hold programs: the
// first program that uses the map (bpf_check_tail_call at load, for DEVMAP
// and CPUMAP) or is stored in it as an entry program (any of them) fixes
// the program type; others are refused. (The kernel also compares
// xdp_has_frags, which ringb's programs do not carry.)
class ProgOwner {
 public:
  bool claim(uint32_t type) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!owned_) owned_ = true, type_ = type;
    return type == type_;
  }

 private:
  std::mutex mu_;
  bool owned_ = false;
  uint32_t type_ = 0;
};

// The slots of an array-style redirect map (DEVMAP, CPUMAP): readers load
// an entry lock-free, writers swap one under the mutex and retire the old.
class RedirectSlots {
 public:
  RedirectSlots() = default;
  RedirectSlots(const RedirectSlots&) = delete;
  RedirectSlots& operator=(const RedirectSlots&) = delete;
  ~RedirectSlots() {
    if (!area_.data()) return;
    for (uint32_t i = 0; i < n_; ++i) delete slots()[i].load(std::memory_order_relaxed);
  }

  Status init(uint32_t n, mem::MemCgroup* cgroup, const char* what) {
    auto area = Area::alloc(uint64_t{n} * sizeof(void*), cgroup, what);
    if (!area) return area.error();
    area_ = std::move(area.value());  // zero-filled: every slot empty
    n_ = n;
    return {};
  }
  RedirectEntry* at(uint32_t i) const { return i < n_ ? slots()[i].load(std::memory_order_acquire) : nullptr; }
  // Puts `e` (or nothing) at slot i; true when the slot held an entry.
  bool replace(uint32_t i, RedirectEntry* e) {
    std::lock_guard<std::mutex> lock(mu_);
    RedirectEntry* old = slots()[i].exchange(e, std::memory_order_acq_rel);
    retire_redirect_entry(old);
    return old != nullptr;
  }
  // Empties the slots whose entries hold programs (the host lets go of the
  // map: an entry program of the map's own object would keep both alive);
  // returns how many.
  uint32_t clear_progs() {
    std::lock_guard<std::mutex> lock(mu_);
    uint32_t n = 0;
    for (uint32_t i = 0; i < n_; ++i) {
      RedirectEntry* e = slots()[i].load(std::memory_order_acquire);
      if (!e || !e->prog.prog) continue;
      slots()[i].store(nullptr, std::memory_order_release);
      retire_redirect_entry(e);
      ++n;
    }
    return n;
  }
  uint64_t bytes() const { return area_.size(); }

 private:
  std::atomic<RedirectEntry*>* slots() const { return reinterpret_cast<std::atomic<RedirectEntry*>*>(area_.data()); }

  Area area_;
  uint32_t n_ = 0;
  std::mutex mu_;  // writers
};

inline uint32_t u32_at(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// dev_map_get_next_key / cpu_map_get_next_key / xsk_map_get_next_key: no key
// or one past the end → 0; the last index → -ENOENT; else the next index.
inline long array_next_key(uint32_t max_entries, const void* key, void* next_key) {
  const uint32_t i = key ? u32_at(key) : UINT32_MAX;
  uint32_t next;
  if (i >= max_entries) next = 0;
  else if (i == max_entries - 1) return -ENOENT;
  else next = i + 1;
  std::memcpy(next_key, &next, 4);
  return 0;
}

}  // namespace ringb::maps::detail
