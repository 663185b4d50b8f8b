// helpers.cc — ringb's built-in helpers, and the table (vm::Functions) that
// holds them next to whatever a host registers. Helper ids are the kernel's
// enum bpf_func_id; semantics and return values follow the kernel's.
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

#include "helper_sets.h"
#include "iter_kfuncs.h"
#include "object_kfuncs.h"
#include "printk.h"
#include "ringbuf_helpers.h"
#include "ringb/disasm.h"
#include "ringb/maps.h"
#include "ringb/vm.h"

namespace ringb::vm {
namespace {

maps::Map* map_of(uint64_t r) { return reinterpret_cast<maps::Map*>(r); }
void* ptr(uint64_t r) { return reinterpret_cast<void*>(r); }
uint64_t ret(long v) { return static_cast<uint64_t>(v); }

uint64_t clock_ns(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// ---- maps -------------------------------------------------------------------------
uint64_t map_lookup_elem(RunState&, uint64_t map, uint64_t key, uint64_t, uint64_t, uint64_t) {
  return reinterpret_cast<uint64_t>(map_of(map)->lookup_elem(ptr(key)));
}
uint64_t map_update_elem(RunState&, uint64_t map, uint64_t key, uint64_t value, uint64_t flags,
                         uint64_t) {
  return ret(map_of(map)->update_elem(ptr(key), ptr(value), flags));
}
uint64_t map_delete_elem(RunState&, uint64_t map, uint64_t key, uint64_t, uint64_t, uint64_t) {
  return ret(map_of(map)->delete_elem(ptr(key)));
}
uint64_t map_push_elem(RunState&, uint64_t map, uint64_t value, uint64_t flags, uint64_t, uint64_t) {
  return ret(map_of(map)->push_elem(ptr(value), flags));
}
uint64_t map_pop_elem(RunState&, uint64_t map, uint64_t value, uint64_t, uint64_t, uint64_t) {
  return ret(map_of(map)->pop_elem(ptr(value)));
}
uint64_t map_peek_elem(RunState&, uint64_t map, uint64_t value, uint64_t, uint64_t, uint64_t) {
  return ret(map_of(map)->peek_elem(ptr(value)));
}

// ---- time, identity, randomness ----------------------------------------------------
uint64_t ktime_get_ns(RunState&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return clock_ns(CLOCK_MONOTONIC);
}
uint64_t ktime_get_boot_ns(RunState&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return clock_ns(CLOCK_BOOTTIME);
}
uint64_t ktime_get_coarse_ns(RunState&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return clock_ns(CLOCK_MONOTONIC_COARSE);
}
uint64_t ktime_get_tai_ns(RunState&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return clock_ns(CLOCK_TAI);
}
uint64_t get_prandom_u32(RunState&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  thread_local std::minstd_rand rng(static_cast<unsigned>(clock_ns(CLOCK_MONOTONIC) ^ gettid()));
  return static_cast<uint32_t>(rng());
}
uint64_t get_smp_processor_id(RunState& rs, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return static_cast<uint64_t>(rs.cpu < 0 ? 0 : rs.cpu);
}
uint64_t get_numa_node_id(RunState&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }
uint64_t get_current_pid_tgid(RunState&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return (static_cast<uint64_t>(getpid()) << 32) | static_cast<uint32_t>(gettid());
}
uint64_t get_current_uid_gid(RunState&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return (static_cast<uint64_t>(getgid()) << 32) | getuid();
}
uint64_t get_current_comm(RunState&, uint64_t buf, uint64_t size, uint64_t, uint64_t, uint64_t) {
  if (size == 0) return ret(-EINVAL);
  // The calling thread's comm, as the kernel's task->comm: prctl is one
  // system call, safe in a signal handler (unlike reading /proc).
  char comm[17] = {};
  const int saved = errno;
  prctl(PR_GET_NAME, comm, 0, 0, 0);
  errno = saved;
  std::memset(ptr(buf), 0, size);  // strscpy_pad
  std::strncpy(static_cast<char*>(ptr(buf)), comm, size - 1);
  return 0;
}

// ---- printk, loops, locks -------------------------------------------------------------
// bpf_trace_printk: at most 1024 bytes of output (MAX_BPRINTF_BUF), written
// with one write(2) so that a run in a signal handler stays safe; the result
// is the formatted length.
uint64_t trace_printk(RunState& rs, uint64_t fmt, uint64_t fmt_size, uint64_t a1, uint64_t a2,
                      uint64_t a3) {
  const uint64_t args[3] = {a1, a2, a3};
  char out[1024 + 1];
  const long n = format_printk(static_cast<const char*>(ptr(fmt)), fmt_size, args, 3, out, sizeof out - 1);
  if (n < 0) return ret(n);
  size_t len = std::strlen(out);
  if (!len || out[len - 1] != '\n') out[len++] = '\n';
  FILE* f = rs.options && rs.options->trace ? rs.options->trace : stderr;
  const int saved = errno;
  const int fd = fileno(f);
  if (fd < 0) {  // a memory stream: stdio it is
    std::fwrite(out, 1, len, f);
  } else {
    if (f != stderr) std::fflush(f);  // what the host wrote with stdio comes first
    [[maybe_unused]] const ssize_t w = ::write(fd, out, len);
  }
  errno = saved;
  return static_cast<uint64_t>(n);
}

uint64_t loop(RunState& rs, uint64_t nr_loops, uint64_t callback, uint64_t ctx, uint64_t flags,
              uint64_t) {
  constexpr uint64_t kMaxLoops = 1u << 23;  // BPF_MAX_LOOPS
  if (flags) return ret(-EINVAL);
  if (nr_loops > kMaxLoops) return ret(-E2BIG);
  uint64_t i = 0;
  while (i < nr_loops) {
    const uint64_t r = rs.call_callback(callback, i, ctx, 0, 0, 0);
    ++i;
    if (r == 1) break;  // the callback asked to stop
  }
  return i;
}

// struct bpf_spin_lock: the same protocol BPF_F_LOCK copies use (maps.h).
uint64_t spin_lock(RunState& rs, uint64_t lock, uint64_t, uint64_t, uint64_t, uint64_t) {
  maps::value_lock(ptr(lock));
  rs.held_lock = ptr(lock);
  return 0;
}
uint64_t spin_unlock(RunState& rs, uint64_t lock, uint64_t, uint64_t, uint64_t, uint64_t) {
  rs.held_lock = nullptr;
  maps::value_unlock(ptr(lock));
  return 0;
}

uint64_t map_lookup_percpu_elem(RunState&, uint64_t map, uint64_t key, uint64_t cpu, uint64_t,
                                uint64_t) {
  if (cpu > UINT32_MAX) return 0;
  return reinterpret_cast<uint64_t>(map_of(map)->lookup_percpu_elem(ptr(key), static_cast<uint32_t>(cpu)));
}

// bpf_for_each_map_elem(map, callback, ctx, flags): the callback is a
// subprogram called as callback(map, key, value, ctx); 1 stops the walk.
struct ForEach {
  RunState* rs;
  uint64_t map, callback, ctx;
};
uint64_t for_each_map_elem(RunState& rs, uint64_t map, uint64_t callback, uint64_t ctx,
                           uint64_t flags, uint64_t) {
  if (flags) return ret(-EINVAL);
  ForEach fe{&rs, map, callback, ctx};
  return ret(map_of(map)->for_each_elem(
      [](const void* key, void* value, void* p) -> long {
        auto* f = static_cast<ForEach*>(p);
        return f->rs->call_callback(f->callback, f->map, reinterpret_cast<uint64_t>(key),
                                    reinterpret_cast<uint64_t>(value), f->ctx, 0) == 1;
      },
      &fe));
}

// get_jiffies_64(): ticks of CONFIG_HZ since boot, from the kernel's
// INITIAL_JIFFIES (five minutes before the 32-bit wrap).
uint64_t jiffies64(RunState& rs, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  const uint64_t hz = rs.options && rs.options->jiffies_hz ? rs.options->jiffies_hz : 250;
  const uint64_t initial = static_cast<uint32_t>(-300 * static_cast<int64_t>(hz));
  const uint64_t ns = clock_ns(CLOCK_MONOTONIC);
  return initial + ns / 1000000000 * hz + ns % 1000000000 * hz / 1000000000;
}

// bpf_snprintf: the format is a read-only map value the verifier proved
// NUL-terminated; data holds data_len / 8 arguments (at most 12). The result
// counts the terminating NUL, whatever str_size allowed.
uint64_t snprintf_(RunState&, uint64_t str, uint64_t str_size, uint64_t fmt, uint64_t data,
                   uint64_t data_len) {
  constexpr uint64_t kMaxArgs = 12;  // MAX_BPRINTF_VARARGS
  if (data_len % 8 || data_len / 8 > kMaxArgs || (data_len && !data)) return ret(-EINVAL);
  const char* f = static_cast<const char*>(ptr(fmt));
  const uint32_t size = static_cast<uint32_t>(str_size);
  const long n = format_printk(f, std::strlen(f) + 1, static_cast<const uint64_t*>(ptr(data)),
                               static_cast<int>(data_len / 8), static_cast<char*>(ptr(str)), size);
  if (n < 0) return ret(n);
  return static_cast<uint64_t>(n) + 1;
}

uint64_t strncmp_(RunState&, uint64_t s1, uint64_t s1_sz, uint64_t s2, uint64_t, uint64_t) {
  const auto* a = static_cast<const unsigned char*>(ptr(s1));
  const auto* b = static_cast<const unsigned char*>(ptr(s2));
  for (uint64_t i = 0; i < s1_sz; ++i) {
    if (a[i] != b[i]) return ret(a[i] < b[i] ? -1 : 1);
    if (!a[i]) break;
  }
  return 0;
}

}  // namespace

Functions Functions::builtin() {
  Functions f;
  const struct {
    int id;
    Function fn;
  } table[] = {
      {1, map_lookup_elem},   {2, map_update_elem},       {3, map_delete_elem},
      {5, ktime_get_ns},      {6, trace_printk},          {7, get_prandom_u32},
      {8, get_smp_processor_id}, {14, get_current_pid_tgid}, {15, get_current_uid_gid},
      {16, get_current_comm}, {42, get_numa_node_id},     {87, map_push_elem},
      {88, map_pop_elem},     {89, map_peek_elem},        {93, spin_lock},
      {94, spin_unlock},      {125, ktime_get_boot_ns},   {181, loop},
      {208, ktime_get_tai_ns}, {160, ktime_get_coarse_ns},
      {118, jiffies64},       {165, snprintf_},           {182, strncmp_},
      {164, for_each_map_elem}, {195, map_lookup_percpu_elem},
      {153, per_cpu_ptr_helper}, {154, this_cpu_ptr_helper}, {194, kptr_xchg_helper},
  };
  for (const auto& e : table) f.add_helper(e.id, ringb::helper_name(e.id), e.fn);
  add_skb_helpers(f);
  add_hash_helpers(f);
  add_xdp_helpers(f);
  add_trace_helpers(f);
  add_string_helpers(f);
  add_sock_helpers(f);
  add_sockmap_helpers(f);
  add_redirect_helpers(f);
  add_msg_helpers(f);
  add_sock_ops_helpers(f);
  add_task_helpers(f);
  add_storage_helpers(f);
  add_ringbuf_helpers(f);
  // Every built-in kfunc prototype has its body in one of these tables.
  for (const kfuncs::Proto& p : kfuncs::builtin()) {
    for (const auto* bodies : {&object_kfuncs(), &cpumask_kfuncs(), &iter_kfuncs(), &dynptr_kfuncs(), &task_kfuncs()})
      if (auto it = bodies->find(p.name); it != bodies->end()) f.add_kfunc(p, it->second);
  }
  return f;
}

void Functions::add_helper(int id, std::string name, Function fn) {
  helpers_[id] = Entry{std::move(name), fn};
}

void Functions::add_kfunc(kfuncs::Proto proto, Function fn) {
  auto shared = std::make_shared<const kfuncs::Proto>(std::move(proto));
  if (!shared->implicit_alias.empty()) kfuncs_[shared->implicit_alias] = Kfunc{fn, shared, true};
  kfuncs_[shared->name] = Kfunc{fn, shared, false};
}

void Functions::add_kfunc(std::string name, Function fn) { kfuncs_[std::move(name)] = Kfunc{fn, nullptr, false}; }

const Functions::Kfunc* Functions::kfunc_entry(const std::string& name) const {
  auto it = kfuncs_.find(name);
  return it == kfuncs_.end() ? nullptr : &it->second;
}

const Function* Functions::helper(int id) const {
  auto it = helpers_.find(id);
  return it == helpers_.end() ? nullptr : &it->second.fn;
}

const Function* Functions::kfunc(const std::string& name) const {
  auto it = kfuncs_.find(name);
  return it == kfuncs_.end() ? nullptr : &it->second.fn;
}

void Functions::add_ksym(std::string name, void* address) { ksyms_[std::move(name)] = address; }

const void* Functions::ksym(const std::string& name) const {
  auto it = ksyms_.find(name);
  return it == ksyms_.end() ? nullptr : it->second;
}

std::string Functions::helper_name(int id) const {
  auto it = helpers_.find(id);
  if (it != helpers_.end()) return it->second.name;
  return ringb::helper_name(id);
}

}  // namespace ringb::vm
