// runtime.cc — Runtime::load: extern variables given their values, maps
// created from the object's definitions (each with an id), maps of maps
// filled from their `.values`, every program checked and decoded against the
// maps, prog arrays filled from their `.values`; host-created maps; and the
// LoadedObject accessors.
#include "ringb/kernel_btf.h"
#include "ringb/runtime.h"
#include "ringb/tasks.h"

#include <array>
#include <cstring>

#include "externs.h"
#include "load_plan.h"
#include "verify_load.h"
#include "object_types.h"
#include "programs.h"
#include "run_storages.h"
#include "ringb/rcu.h"

namespace ringb {
namespace {

// bpf_check_tail_call() at program load: every prog array a program refers to
// takes the program's type, or refuses it if its programs have another.
// Only programs that are loaded claim (see Runtime::LoadOptions).
Status claim_prog_arrays(const Program& p, const std::vector<maps::Map*>& maps) {
  const auto found = api::cgroup_storage_maps(p, [&](size_t i) { return maps[i]; }, maps.size());
  const std::array<const void*, maps::kCgroupStorageSlots> storages = {found[0], found[1]};
  for (size_t i = 0; i + 1 < p.insns.size(); ++i) {
    const Insn& in = p.insns[i];
    if (!isa::is_ld_imm64(in)) continue;
    ++i;
    if (!isa::is_map_ptr_load(in)) continue;
    if (in.imm < 0 || static_cast<size_t>(in.imm) >= maps.size()) continue;  // decode named it
    maps::Map* m = maps[static_cast<size_t>(in.imm)];
    if (!m) continue;  // not created: the plan creates every map a loaded program uses
    if (!m->claim_prog_type(static_cast<uint32_t>(p.type), storages.data()))
      return Error{EINVAL, "program '" + p.name + "' (" + prog_type_name(p.type) + ") uses " +
                               (m->def().type == static_cast<uint32_t>(MapType::ProgArray)
                                    ? std::string("prog array")
                                    : map_type_name(m->def().type)) +
                               " '" + m->def().name +
                               "', which holds or serves programs of another type, or programs of other cgroup storage"};
  }
  return {};
}

}  // namespace

namespace {

// An object that asks for tasks gives its struct task_struct layout to the
// host's task records (ringb/tasks.h).
Status use_task_layout(const Object& obj) {
  if (!obj.btf) return {};
  bool uses = false;
  for (const std::string& k : obj.kfuncs) uses |= k.rfind("bpf_task_", 0) == 0;
  for (const Program& p : obj.programs)
    for (const Insn& in : p.insns)
      uses |= in.code == 0x85 && in.src == 0 && (in.imm == 35 || in.imm == 158);
  return uses ? tasks::use_layout(*obj.btf) : Status{};
}

}  // namespace

Runtime::Runtime() : Runtime(Options{}) {}

Runtime::Runtime(const Options& options)
    : options_(options), fns_(vm::Functions::builtin()),
      kptr_types_(obj::KptrTypes::builtin()),
      jiffies_hz_(api::config_hz(options.kconfig)) {}

Expected<std::unique_ptr<LoadedObject>> Runtime::load(const std::string& path, const LoadOptions& opts) const {
  auto obj = Object::open_file(path);
  if (!obj) return obj.error();
  return load(std::move(obj.value()), opts);
}

Expected<std::unique_ptr<LoadedObject>> Runtime::load(Object obj, const LoadOptions& opts) const {
  api::release_parked();
  auto plan = api::plan_load(obj, opts.programs);
  if (!plan) return plan.error();
  if (Status s = api::check_calls(obj, *plan, fns_); !s) return s.error();
  if (Status s = use_task_layout(obj); !s) return Error{s.error().code, obj.name + ": " + s.error().message};
  std::vector<std::string> unverified;
  std::vector<std::vector<verifier::GraphInsert>> inserts;
  if (options_.verify) {
    // The kernel's BTF only for objects with BTF-typed tracing programs.
    std::shared_ptr<const Btf> kbtf;
    for (const Program& p : obj.programs)
      if (kernel_btf::typed_section(p.section)) {
        auto b = kernel_btf::load_default(options_.kernel_btf);
        if (!b) return Error{b.error().code, obj.name + ": " + b.error().message};
        kbtf = *b;
        break;
      }
    if (Status s = api::verify_programs(obj, *plan, fns_, options_.verify_strict, kbtf, unverified, inserts); !s)
      return s.error();
  }
  std::unique_ptr<LoadedObject> lo(new LoadedObject());
  lo->unverified_ = std::move(unverified);
  lo->obj_ = std::move(obj);
  lo->jiffies_hz_ = jiffies_hz_;
  if (Status s = api::resolve_externs(lo->obj_, *plan, options_.kconfig, fns_); !s)
    return Error{s.error().code, lo->obj_.name + ": " + s.error().message};
  lo->maps_ = std::make_shared<api::MapSet>();
  auto types = api::build_object_types(lo->obj_, kptr_types_);
  if (!types) return types.error();
  lo->maps_->types = std::shared_ptr<api::ObjectTypes>(std::move(types.value()));
  maps::Options mo = map_options();
  std::vector<maps::Map*> raw;
  for (size_t i = 0; i < lo->obj_.maps.size(); ++i) {
    const MapDef& def = lo->obj_.maps[i];
    if (!plan->maps[i]) {  // no loaded program uses it
      raw.push_back(nullptr);
      lo->maps_->maps.emplace_back();
      continue;
    }
    mo.record = lo->maps_->types->records[i].get();
    auto m = maps::Map::create(def, mo);
    if (!m) return Error{m.error().code, lo->obj_.name + ": map '" + def.name + "': " + m.error().message};
    raw.push_back(m->get());
    lo->maps_->maps.push_back(api::register_map(std::move(m.value()), lo->maps_->types));
  }
  if (Status s = lo->fill_maps_of_maps(); !s) return s.error();
  for (size_t i = 0; i < lo->obj_.programs.size(); ++i) {
    const Program& p = lo->obj_.programs[i];
    if (!plan->programs[i]) {
      lo->progs_.emplace_back();
      continue;
    }
    if (p.type == ProgType::Unspec)
      return Error{EINVAL, lo->obj_.name + ": program '" + p.name + "' is in section '" + p.section +
                               "', which names no program type ringb knows"};
    vm::Bindings bindings = lo->maps_->types->bindings;
    std::map<size_t, vm::Bindings::Node> verified;
    if (i < inserts.size()) {
      for (const verifier::GraphInsert& g : inserts[i])
        if (const obj::Type* t = lo->maps_->types->types->type(g.node_struct_id))
          verified[g.insn] = vm::Bindings::Node{t, g.node_offset};
      bindings.verified_inserts = &verified;
    }
    auto exe = vm::Executable::create(p, raw, lo->obj_.kfuncs, fns_, bindings);
    if (!exe) return Error{exe.error().code, lo->obj_.name + ": " + exe.error().message};
    if (Status s = claim_prog_arrays(p, raw); !s) return Error{EINVAL, lo->obj_.name + ": " + s.error().message};
    lo->progs_.push_back(api::make_program(std::move(exe.value()), lo->maps_));
  }
  if (Status s = lo->fill_prog_arrays(); !s) return s.error();
  return lo;
}

// libbpf's bpf_object__init_prog_arrays(): the `.values` of each prog array.
Status LoadedObject::fill_prog_arrays() {
  for (size_t i = 0; i < obj_.maps.size(); ++i) {
    const MapDef& def = obj_.maps[i];
    if (!maps_->maps[i]) continue;  // not created
    for (const auto& [slot, name] : def.init_progs) {
      const auto h = handle_of(name);
      if (!h)
        return Error{ENOENT, obj_.name + ": map '" + def.name + "': slot " + std::to_string(slot) +
                                 " (`.values`) holds program '" + name +
                                 "', which is not loaded (its section starts with '?'; load it by name)"};
      const long err = maps_->at(i)->host_set_prog(slot, api::prog_ref(h));
      if (err)
        return Error{static_cast<int>(-err),
                     obj_.name + ": map '" + def.name + "': cannot put program '" + name + "' into slot " +
                         std::to_string(slot) + ": " +
                         (err == -EINVAL ? "its type differs from the array's programs"
                                         : std::string(std::strerror(static_cast<int>(-err))))};
    }
  }
  return {};
}

// libbpf's init_map_in_map_slots(): the `.values` of each map of maps, by
// the inner maps' ids (a hash of maps takes the slot as its key).
Status LoadedObject::fill_maps_of_maps() {
  for (size_t i = 0; i < obj_.maps.size(); ++i) {
    const MapDef& def = obj_.maps[i];
    maps::Map* outer = maps_->at(i);
    if (!outer) continue;  // not created
    for (const auto& [slot, name] : def.init_maps) {
      const int t = obj_.find_map(name);
      maps::Map* inner = t < 0 ? nullptr : maps_->at(static_cast<size_t>(t));
      const std::string where = obj_.name + ": map '" + def.name + "': slot " + std::to_string(slot) + " (`.values`)";
      if (!inner) return Error{ENOENT, where + " holds map '" + name + "', which was not created"};
      const uint32_t key = slot, id = maps_->maps[static_cast<size_t>(t)]->id;
      const long err = outer->host_update(&key, sizeof key, &id, sizeof id, maps::kAny);
      if (!err) continue;
      std::string why = std::strerror(static_cast<int>(-err));
      if (err == -EINVAL && outer->inner_meta())
        if (Status c = maps::check_inner_map(*outer->inner_meta(), inner->def()); !c) why = c.error().message;
      return Error{static_cast<int>(-err), where + ": cannot store map '" + name + "': " + why};
    }
  }
  return {};
}

maps::Options Runtime::map_options() const {
  maps::Options mo;
  mo.cgroup = options_.cgroup;
  mo.force_dyn_alloc = options_.force_dyn_alloc;
  mo.prog_resolver = api::resolve_program;
  mo.map_resolver = api::resolve_map;
  return mo;
}

Expected<HostMap> Runtime::create_map(const MapDef& def) const {
  api::release_parked();
  auto m = maps::Map::create(def, map_options());
  if (!m) return Error{m.error().code, "map '" + def.name + "': " + m.error().message};
  auto h = api::register_map(std::move(m.value()));
  return HostMap{h->id, api::shared_map(h)};
}

Expected<HostMap> Runtime::map_by_id(uint32_t id) const {
  auto h = api::find_map(id);
  if (!h) return Error{ENOENT, "no map has id " + std::to_string(id)};
  return HostMap{h->id, api::shared_map(h)};
}

namespace {
// Maps whose entries hold programs: a prog array's slots, devmap and cpumap
// entry programs (program ↔ map cycles the unload breaks).
bool holds_programs(uint32_t type) {
  return type == static_cast<uint32_t>(MapType::ProgArray) || type == 14 || type == 16 || type == 25;
}
}  // namespace

LoadedObject::~LoadedObject() {
  bool held = false;
  if (maps_)
    for (const auto& h : maps_->maps)
      if (h && holds_programs(h->map->def().type)) {
        h->map->clear_progs();
        held = true;
      }
  progs_.clear();
  maps_.reset();
  if (held) {  // let the emptied slots' grace periods end, so their programs go now
    rcu::barrier(rcu::Domain::TasksTrace);
    rcu::barrier(rcu::Domain::Rcu);
  }
  api::release_parked();
}

maps::Map* LoadedObject::map(const std::string& name) const {
  const int i = obj_.find_map(name);
  return i < 0 ? nullptr : maps_->at(static_cast<size_t>(i));
}

uint32_t LoadedObject::map_id(const std::string& name) const {
  const int i = obj_.find_map(name);
  if (i < 0 || !maps_->maps[static_cast<size_t>(i)]) return 0;
  return maps_->maps[static_cast<size_t>(i)]->id;
}

const obj::Record* LoadedObject::map_record(const std::string& name) const {
  const int i = obj_.find_map(name);
  if (i < 0 || !maps_->types) return nullptr;
  return maps_->types->records[static_cast<size_t>(i)].get();
}

const obj::TypeSet* LoadedObject::types() const { return maps_->types ? maps_->types->types.get() : nullptr; }

std::shared_ptr<api::ProgramHandle> LoadedObject::handle_of(const std::string& name) const {
  for (size_t i = 0; i < obj_.programs.size(); ++i)
    if (obj_.programs[i].name == name) return progs_[i];
  return nullptr;
}

const vm::Executable* LoadedObject::program(const std::string& name) const {
  const auto h = handle_of(name);
  return h ? h->exe.get() : nullptr;
}

uint32_t LoadedObject::program_id(const std::string& name) const {
  const auto h = handle_of(name);
  return h ? h->id : 0;
}

Status LoadedObject::prog_array_set(const std::string& map_name, uint32_t index,
                                    const std::string& program) const {
  api::release_parked();
  maps::Map* m = map(map_name);
  if (!m) return Error{ENOENT, obj_.name + ": no map named '" + map_name + "'"};
  if (m->def().type != static_cast<uint32_t>(MapType::ProgArray))
    return Error{EINVAL, obj_.name + ": map '" + map_name + "' is not a prog array"};
  const auto h = handle_of(program);
  if (!h)
    return Error{ENOENT, obj_.name + ": " + (obj_.find_program(program) ? "program '" + program + "' is not loaded"
                                                                         : "no program named '" + program + "'")};
  if (const long err = m->host_set_prog(index, api::prog_ref(h)))
    return Error{static_cast<int>(-err),
                 obj_.name + ": map '" + map_name + "', slot " + std::to_string(index) + ": " +
                     (err == -E2BIG ? "index past max_entries"
                      : err == -EINVAL ? "program '" + program + "' has another type or cgroup storage than the array's programs"
                                       : std::string(std::strerror(static_cast<int>(-err))))};
  return {};
}

}  // namespace ringb
