// map_ids.h — map ids, and what keeps a map alive.
//
// Every map the api creates — an object's, or one the host makes with
// Runtime::create_map — is a shared MapHandle with a process-wide id, like
// the kernel's map IDs: resolve_map() is the maps layer's MapResolver, so
// host_update(&key, 4, &id, 4, 0) on a map of maps finds the map (where the
// kernel takes a map fd), and the outer map keeps it alive after the object
// or the host's handle is gone. An id stops resolving as soon as the last
// reference goes.
//
// The last reference to a handle is dropped on host threads outside RCU
// read-side sections only: by a LoadedObject, a program's MapSet (destroyed
// from release_parked()), a host's handle, or a map of maps once the grace
// periods after taking the map out have passed (maps.h). So the handle
// destroys its map at once.
#pragma once

#include <cstdint>
#include <memory>

#include "ringb/maps.h"

namespace ringb::api {

struct MapHandle {
  // What the map's field records point into (an object's types): declared
  // first, so it goes after the map, which frees its values' fields with it.
  std::shared_ptr<const void> keepalive;
  std::unique_ptr<maps::Map> map;
  uint32_t id = 0;
};

// A new handle with a fresh id, registered for resolve_map().
std::shared_ptr<MapHandle> register_map(std::unique_ptr<maps::Map> map,
                                        std::shared_ptr<const void> keepalive = nullptr);
// id → MapRef (keeping the map alive); -EBADF when no live map has the id.
Expected<maps::MapRef> resolve_map(uint32_t id);
// id → handle, or null.
std::shared_ptr<MapHandle> find_map(uint32_t id);
// The map, kept alive by `h` (an aliasing pointer).
inline std::shared_ptr<maps::Map> shared_map(const std::shared_ptr<MapHandle>& h) {
  return h ? std::shared_ptr<maps::Map>(h, h->map.get()) : nullptr;
}

}  // namespace ringb::api
