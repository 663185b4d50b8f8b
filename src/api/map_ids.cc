// map_ids.cc — see map_ids.h.
#include "map_ids.h"

#include <atomic>
#include <mutex>
#include <unordered_map>

namespace ringb::api {
namespace {

struct Registry {
  std::mutex mu;
  std::unordered_map<uint32_t, std::weak_ptr<MapHandle>> by_id;
  std::atomic<uint32_t> next_id{1};
};

// Never destroyed: handles may outlive static destruction order.
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

// The handles' deleter: unregister first (the id must stop resolving), then
// destroy the map.
void unregister(MapHandle* h) {
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    r.by_id.erase(h->id);
  }
  delete h;
}

}  // namespace

std::shared_ptr<MapHandle> register_map(std::unique_ptr<maps::Map> map, std::shared_ptr<const void> keepalive) {
  Registry& r = registry();
  std::shared_ptr<MapHandle> h(new MapHandle{std::move(keepalive), std::move(map), 0}, unregister);
  h->id = r.next_id.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(r.mu);
  r.by_id.emplace(h->id, h);
  return h;
}

std::shared_ptr<MapHandle> find_map(uint32_t id) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.by_id.find(id);
  return it == r.by_id.end() ? nullptr : it->second.lock();
}

Expected<maps::MapRef> resolve_map(uint32_t id) {
  std::shared_ptr<MapHandle> h = find_map(id);
  if (!h) return Error{EBADF, "no map has id " + std::to_string(id)};
  maps::MapRef ref;
  ref.map = h->map.get();
  ref.id = h->id;
  ref.owner = std::move(h);
  return ref;
}

}  // namespace ringb::api
