// tasks.cc — host tasks and the root cgroup (ringb/tasks.h).
#include "ringb/tasks.h"

#include <bpf/btf.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <mutex>


namespace ringb::tasks {
namespace {

enum Slot : uint32_t { kFree = 0, kLive = 1, kExited = 2, kBusy = 3 };

struct Layout {
  int64_t size = -1;
  int64_t pid = -1, tgid = -1, comm = -1;
};

Task g_tasks[kMaxTasks];
Cgroup g_root;
// The layouts in use: objects may declare task_struct with fewer fields
// (CO-RE lets them), so several may coexist as long as no field of one
// overlaps another field of the other. Entries are written under the lock
// before g_gen (their count) is published, and never change after.
constexpr uint32_t kMaxLayouts = 8;
std::mutex g_layout_lock;
Layout g_layouts[kMaxLayouts];
std::atomic<uint32_t> g_gen{0};

struct Field {
  const char* name;
  int64_t off, size;
};

// Whether two layouts can share one record.
bool compatible(const Layout& a, const Layout& b) {
  const Field fa[] = {{"pid", a.pid, 4}, {"tgid", a.tgid, 4}, {"comm", a.comm, 16}};
  const Field fb[] = {{"pid", b.pid, 4}, {"tgid", b.tgid, 4}, {"comm", b.comm, 16}};
  for (const Field& x : fa)
    for (const Field& y : fb) {
      if (x.off < 0 || y.off < 0) continue;
      const bool overlap = x.off < y.off + y.size && y.off < x.off + x.size;
      if (overlap && (std::strcmp(x.name, y.name) != 0 || x.off != y.off)) return false;
    }
  return true;
}

// Byte offset of member `name` of struct `id` (members of anonymous
// unions and structs included), or -1.
int64_t member_offset(const Btf& b, uint32_t id, const char* name, int64_t base = 0) {
  const btf_type* t = b.type(id);
  if (!t || (!btf_is_struct(t) && !btf_is_union(t))) return -1;
  const btf_member* m = btf_members(t);
  for (uint16_t i = 0; i < btf_vlen(t); ++i, ++m) {
    const int64_t off = base + btf_member_bit_offset(t, i) / 8;
    const std::string n = b.string_at(m->name_off);
    if (n == name) return off;
    if (n.empty()) {
      const int64_t inner = member_offset(b, b.skip_modifiers(m->type), name, off);
      if (inner >= 0) return inner;
    }
  }
  return -1;
}

void fill(Task& t) {
  std::memset(t.bytes, 0, sizeof t.bytes);
  const uint32_t gen = g_gen.load(std::memory_order_acquire);
  for (uint32_t i = 0; i < gen; ++i) {
    const Layout& l = g_layouts[i];
    if (l.pid >= 0) std::memcpy(t.bytes + l.pid, &t.tid, 4);
    if (l.tgid >= 0) std::memcpy(t.bytes + l.tgid, &t.tgid, 4);
    if (l.comm >= 0) prctl(PR_GET_NAME, reinterpret_cast<unsigned long>(t.bytes + l.comm), 0, 0, 0);
  }
  t.layout_gen.store(gen, std::memory_order_release);
}

// Gives the thread's record back when the thread ends. Only the thread's own
// program runs held it without a reference (bpf_get_current_task_btf), and
// they are over; others hold references (from_pid, kptrs), so the slot is
// free once the last of those is released.
struct ThreadRecord {
  Task* t = nullptr;
  ~ThreadRecord() {
    if (!t) return;
    t->slot.store(kExited, std::memory_order_release);
    uint32_t exited = kExited;
    if (t->refs.load(std::memory_order_acquire) == 0)
      t->slot.compare_exchange_strong(exited, kFree, std::memory_order_acq_rel);
  }
};
thread_local ThreadRecord t_record;

}  // namespace

Status use_layout(const Btf& btf) {
  const uint32_t id = btf.find("task_struct", BTF_KIND_STRUCT);
  if (!id) return {};
  Layout l;
  l.size = btf.size_of(id);
  l.pid = member_offset(btf, id, "pid");
  l.tgid = member_offset(btf, id, "tgid");
  l.comm = member_offset(btf, id, "comm");
  if (l.size <= 0 || l.size > static_cast<int64_t>(kTaskBytes))
    return Error{EINVAL, "struct task_struct of " + std::to_string(l.size) + " bytes does not fit ringb's " +
                             std::to_string(kTaskBytes) + "-byte task records"};
  if ((l.comm >= 0 && l.comm + 16 > l.size) || (l.pid >= 0 && l.pid + 4 > l.size) ||
      (l.tgid >= 0 && l.tgid + 4 > l.size))
    return Error{EINVAL, "struct task_struct's pid, tgid or comm lie outside it"};
  std::lock_guard lock(g_layout_lock);
  const uint32_t n = g_gen.load(std::memory_order_relaxed);
  for (uint32_t i = 0; i < n; ++i) {
    const Layout& o = g_layouts[i];
    if (o.size == l.size && o.pid == l.pid && o.tgid == l.tgid && o.comm == l.comm) return {};
    if (!compatible(o, l))
      return Error{EINVAL, "this object's struct task_struct (" + std::to_string(l.size) +
                               " bytes) puts pid, tgid or comm where another object's (" + std::to_string(o.size) +
                               " bytes) has other fields: objects built against different kernels' vmlinux.h"};
  }
  if (n == kMaxLayouts) return Error{EINVAL, "more than 8 struct task_struct layouts in one process"};
  g_layouts[n] = l;
  g_gen.store(n + 1, std::memory_order_release);
  return {};
}

Task* current() {
  Task* t = t_record.t;
  if (t) {
    if (t->layout_gen.load(std::memory_order_acquire) != g_gen.load(std::memory_order_acquire)) fill(*t);
    return t;
  }
  for (Task& c : g_tasks) {
    uint32_t free = kFree;
    if (!c.slot.compare_exchange_strong(free, kBusy, std::memory_order_acq_rel)) continue;
    c.tid = static_cast<int32_t>(syscall(SYS_gettid));
    c.tgid = static_cast<int32_t>(getpid());
    fill(c);
    c.slot.store(kLive, std::memory_order_release);
    t_record.t = &c;
    return &c;
  }
  return nullptr;
}

Task* from_pid(int32_t pid) {
  if (pid <= 0) return nullptr;
  for (Task& c : g_tasks) {
    if (c.slot.load(std::memory_order_acquire) != kLive || c.tid != pid) continue;
    c.refs.fetch_add(1, std::memory_order_acq_rel);
    if (c.slot.load(std::memory_order_acquire) == kLive && c.tid == pid) return &c;
    c.refs.fetch_sub(1, std::memory_order_acq_rel);
  }
  return nullptr;
}

Task* task_of(const void* p) {
  const auto a = reinterpret_cast<uintptr_t>(p);
  const auto lo = reinterpret_cast<uintptr_t>(&g_tasks[0]);
  const auto hi = reinterpret_cast<uintptr_t>(&g_tasks[kMaxTasks]);
  if (a < lo || a >= hi || (a - lo) % sizeof(Task) != 0) return nullptr;
  return &g_tasks[(a - lo) / sizeof(Task)];
}

void acquire(Task* t) {
  if (t) t->refs.fetch_add(1, std::memory_order_acq_rel);
}

void release(Task* t) {
  if (!t) return;
  // The last reference to an exited thread's record frees its slot (the
  // grace period passed when the thread ended).
  if (t->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    uint32_t exited = kExited;
    t->slot.compare_exchange_strong(exited, kFree, std::memory_order_acq_rel);
  }
}

Cgroup* root_cgroup() { return &g_root; }

Cgroup* cgroup_of(const void* p) { return p == &g_root ? &g_root : nullptr; }

}  // namespace ringb::tasks
