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
