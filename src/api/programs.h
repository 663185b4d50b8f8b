// programs.h — what keeps a loaded program alive, and its id.
//
// A prog array may hold a program of another LoadedObject, and keeps it
// (and the maps its code points into) alive after that object is gone, as
// the kernel's prog arrays hold a program reference. So a program is a
// shared ProgramHandle owning its Executable and a share of its object's
// maps (MapSet); LoadedObject and every prog array slot holding the program
// own it together.
//
// Ids are process-wide, like the kernel's prog IDs: resolve_program() is
// the maps layer's ProgResolver, so host_update(&key, 4, &id, 4, 0) on a prog array
// finds the program without the maps layer knowing about programs.
//
// The last reference to a handle can go inside an RCU callback (a replaced
// prog array slot's Entry is freed there), where destroying maps — which
// wait for RCU barriers — is not allowed. So handles are never destroyed by
// their last reference directly: they are parked and release_parked()
// destroys them, from host threads (LoadedObject's destructor,
// Runtime::load, LoadedObject::prog_array_set).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "map_ids.h"
#include "ringb/maps.h"
#include "ringb/vm.h"

namespace ringb::api {

struct ObjectTypes;

// An object's maps, parallel to Object::maps (null: not created), and the
// types and field records they were created with (each map's handle keeps
// those alive too: a map may outlive its object inside a map of maps).
struct MapSet {
  std::shared_ptr<ObjectTypes> types;
  std::vector<std::shared_ptr<MapHandle>> maps;
  maps::Map* at(size_t i) const { return maps[i] ? maps[i]->map.get() : nullptr; }
};

struct ProgramHandle {
  std::shared_ptr<MapSet> maps;
  std::unique_ptr<vm::Executable> exe;
  uint32_t id = 0;
};

// A new handle with a fresh id, registered for resolve_program().
std::shared_ptr<ProgramHandle> make_program(std::unique_ptr<vm::Executable> exe,
                                            std::shared_ptr<MapSet> maps);
// The ProgRef a prog array stores for `h`.
maps::ProgRef prog_ref(const std::shared_ptr<ProgramHandle>& h);
// id → ProgRef; -EBADF when no live program has the id.
Expected<maps::ProgRef> resolve_program(uint32_t id);
// Destroys every handle whose last reference has gone.
void release_parked();

}  // namespace ringb::api
