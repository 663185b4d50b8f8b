// runtime.cc — Runtime::load: extern variables given their values, maps
// created from the object's definitions, every program checked and decoded
// against them.
#include "ringb/runtime.h"

#include "externs.h"

namespace ringb {

Runtime::Runtime() : Runtime(Options{}) {}

Runtime::Runtime(const Options& options) : options_(options), fns_(vm::Functions::builtin()) {}

Expected<std::unique_ptr<LoadedObject>> Runtime::load(const std::string& path) const {
  auto obj = Object::open_file(path);
  if (!obj) return obj.error();
  return load(std::move(obj.value()));
}

Expected<std::unique_ptr<LoadedObject>> Runtime::load(Object obj) const {
  std::unique_ptr<LoadedObject> lo(new LoadedObject());
  lo->obj_ = std::move(obj);
  if (Status s = api::resolve_externs(lo->obj_, options_.kconfig, fns_); !s)
    return Error{s.error().code, lo->obj_.name + ": " + s.error().message};
  maps::Options mo;
  mo.cgroup = options_.cgroup;
  mo.force_dyn_alloc = options_.force_dyn_alloc;
  std::vector<maps::Map*> raw;
  for (const MapDef& def : lo->obj_.maps) {
    auto m = maps::Map::create(def, mo);
    if (!m) return Error{m.error().code, lo->obj_.name + ": map '" + def.name + "': " + m.error().message};
    raw.push_back(m->get());
    lo->maps_.push_back(std::move(m.value()));
  }
  for (const Program& p : lo->obj_.programs) {
    auto exe = vm::Executable::create(p, raw, lo->obj_.kfuncs, fns_);
    if (!exe) return Error{exe.error().code, lo->obj_.name + ": " + exe.error().message};
    lo->exes_.push_back(std::move(exe.value()));
  }
  return lo;
}

LoadedObject::~LoadedObject() = default;

maps::Map* LoadedObject::map(const std::string& name) const {
  const int i = obj_.find_map(name);
  return i < 0 ? nullptr : maps_[static_cast<size_t>(i)].get();
}

const vm::Executable* LoadedObject::program(const std::string& name) const {
  for (size_t i = 0; i < obj_.programs.size(); ++i)
    if (obj_.programs[i].name == name) return exes_[i].get();
  return nullptr;
}

}  // namespace ringb
