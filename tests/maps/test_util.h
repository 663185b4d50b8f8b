// test_util.h — small helpers shared by the maps tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ringb/cpu.h"
#include "ringb/maps.h"
#include "ringb/rcu.h"

namespace ringb::maps::test {

inline MapDef def_of(MapType type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
                     uint32_t flags = 0) {
  MapDef d;
  d.name = "test";
  d.type = static_cast<uint32_t>(type);
  d.key_size = key_size;
  d.value_size = value_size;
  d.max_entries = max_entries;
  d.map_flags = flags;
  return d;
}

inline std::unique_ptr<Map> make(const MapDef& def, const Options& options = {}) {
  auto m = Map::create(def, options);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return m.ok() ? std::move(m.value()) : nullptr;
}

// What a program run holds: a cpu slot and an RCU read-side section.
struct ProgramScope {
  cpu::CpuGuard cpu;
  rcu::ReadGuard rcu;
};

inline uint64_t u64_at(const void* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Every key a host walk with get_next_key visits, in order.
template <typename Key>
std::vector<Key> walk_keys(Map& map) {
  std::vector<Key> keys;
  Key key{}, next{};
  const void* prev = nullptr;
  while (map.host_get_next_key(prev, &next, sizeof next) == 0) {
    keys.push_back(next);
    key = next;
    prev = &key;
    if (keys.size() > 10'000'000) break;  // a cycle: fail below rather than hang
  }
  return keys;
}

}  // namespace ringb::maps::test
