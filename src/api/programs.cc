// programs.cc — see programs.h.
#include "programs.h"

#include "run_storages.h"

#include <atomic>
#include <mutex>
#include <unordered_map>

namespace ringb::api {
namespace {

struct Registry {
  std::mutex mu;
  std::unordered_map<uint32_t, std::weak_ptr<ProgramHandle>> by_id;
  std::vector<ProgramHandle*> parked;  // last reference gone, not destroyed yet
  std::atomic<uint32_t> next_id{1};
};

// Never destroyed: handles may be parked until the process exits.
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

// The handles' deleter: unregister at once (the id must stop resolving),
// destroy later.
void park(ProgramHandle* h) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.by_id.erase(h->id);
  r.parked.push_back(h);
}

}  // namespace

std::shared_ptr<ProgramHandle> make_program(std::unique_ptr<vm::Executable> exe,
                                            std::shared_ptr<MapSet> maps) {
  Registry& r = registry();
  std::shared_ptr<ProgramHandle> h(new ProgramHandle{std::move(maps), std::move(exe), 0}, park);
  h->id = r.next_id.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(r.mu);
  r.by_id.emplace(h->id, h);
  return h;
}

maps::ProgRef prog_ref(const std::shared_ptr<ProgramHandle>& h) {
  maps::ProgRef ref;
  ref.prog = h->exe.get();
  ref.type = static_cast<uint32_t>(h->exe->program().type);
  ref.id = h->id;
  const MapSet& ms = *h->maps;
  const auto storages = cgroup_storage_maps(h->exe->program(), [&](size_t i) { return ms.at(i); }, ms.maps.size());
  for (size_t i = 0; i < storages.size(); ++i) ref.cgroup_storage[i] = storages[i];
  ref.owner = h;
  return ref;
}

Expected<maps::ProgRef> resolve_program(uint32_t id) {
  Registry& r = registry();
  std::shared_ptr<ProgramHandle> h;
  {
    std::lock_guard<std::mutex> lock(r.mu);
    auto it = r.by_id.find(id);
    if (it != r.by_id.end()) h = it->second.lock();
  }
  if (!h) return Error{EBADF, "no program has id " + std::to_string(id)};
  return prog_ref(h);
}

void release_parked() {
  Registry& r = registry();
  for (;;) {  // destroying a handle may park more (its maps held programs)
    std::vector<ProgramHandle*> batch;
    {
      std::lock_guard<std::mutex> lock(r.mu);
      batch.swap(r.parked);
    }
    if (batch.empty()) return;
    for (ProgramHandle* h : batch) delete h;
  }
}

}  // namespace ringb::api
