// percpu_hash_map.cc — BPF_MAP_TYPE_PERCPU_HASH: the hash table (htab.h) whose
// elements point at one value per cpu. A program sees and updates its own
// cpu's copy, in place; the host reads and writes all of them at once.
#include "flags.h"
#include "htab.h"
#include "map_types.h"
#include "ringb/cpu.h"

namespace ringb::maps::detail {
namespace {

class PercpuHashMap final : public Htab {
 public:
  explicit PercpuHashMap(const MapDef& def) : Htab(def, true) {}
  using Htab::init;

  void* lookup_elem(const void* key) override {
    const int cpu = cpu::current();
    if (cpu < 0) return nullptr;  // no slot: no "this cpu" to return a copy of
    HtabElem* e = lookup_raw(key, hash_of(key));
    return e ? percpu_value(e, static_cast<unsigned>(cpu)) : nullptr;
  }

  void* lookup_percpu_elem(const void* key, uint32_t cpu) override {
    if (cpu >= cpu::nr_cpus()) return nullptr;
    HtabElem* e = lookup_raw(key, hash_of(key));
    return e ? percpu_value(e, cpu) : nullptr;
  }
};

}  // namespace

MapResult create_percpu_hash_map(const MapDef& def, const Options& options) {
  if (Status s = Htab::check_def(def, true); !s) return s.error();
  auto map = std::make_unique<PercpuHashMap>(def);
  if (Status s = map->init(options); !s) return s.error();
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace ringb::maps::detail
