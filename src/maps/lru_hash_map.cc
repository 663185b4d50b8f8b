// lru_hash_map.cc — BPF_MAP_TYPE_LRU_HASH and BPF_MAP_TYPE_LRU_PERCPU_HASH:
// the LRU hash table (lru_htab.h) with values in the element, or one per cpu.
#include "lru_htab.h"
#include "map_types.h"

namespace ringb::maps::detail {
namespace {

MapResult create_lru(const MapDef& def, const Options& options, bool percpu) {
  if (Status s = LruHtab::check_def(def, percpu); !s) return s.error();
  auto map = std::make_unique<LruHtab>(def, percpu);
  if (Status s = map->init_lru(options); !s) return s.error();
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace

MapResult create_lru_hash_map(const MapDef& def, const Options& options) { return create_lru(def, options, false); }
MapResult create_lru_percpu_hash_map(const MapDef& def, const Options& options) {
  return create_lru(def, options, true);
}

}  // namespace ringb::maps::detail
