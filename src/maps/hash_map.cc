// hash_map.cc — BPF_MAP_TYPE_HASH: the hash table (htab.h) whose elements
// carry their value. lookup_elem returns a pointer into the element; an update
// swaps in a new element (htab_ops.cc), so a reader sees the old value or the
// new one. The replaced (or deleted) element is reused at once, as in the
// kernel, so the value behind a pointer a program still holds may later
// change to another update's key and value.
#include "flags.h"
#include "htab.h"
#include "map_types.h"

namespace ringb::maps::detail {
namespace {

class HashMap final : public Htab {
 public:
  explicit HashMap(const MapDef& def) : Htab(def, false) {}
  using Htab::init;

  void* lookup_elem(const void* key) override {
    HtabElem* e = lookup_raw(key, hash_of(key));
    return e ? value_of(e) : nullptr;
  }
};

}  // namespace

MapResult create_hash_map(const MapDef& def, const Options& options) {
  if (Status s = Htab::check_def(def, false); !s) return s.error();
  auto map = std::make_unique<HashMap>(def);
  if (Status s = map->init(options); !s) return s.error();
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace ringb::maps::detail
