// cpumap.cc — BPF_MAP_TYPE_CPUMAP (16): the cpus bpf_redirect_map() sends
// XDP frames to, with kernel/bpf/cpumap.c's semantics for Linux 6.18.
//
// The key is a cpu; the value is struct bpf_cpumap_val: 4 bytes (qsize) or
// 8 (qsize and bpf_prog.fd in, bpf_prog.id out). The kernel starts a kthread
// and a ptr_ring of qsize frames per entry; ringb redirects nothing, so an
// entry is its value (and its program, named by program id through
// Options::prog_resolver where the kernel takes an fd: an XDP program; the
// expected attach type BPF_XDP_CPUMAP is not checked). A cpu is one of
// ringb's cpu slots (cpu::nr_cpus(), the machine's possible cpus by
// default).
//
//   create   key_size 4, value_size 4 or 8, max_entries above 0, map_flags
//            within BPF_F_NUMA_NODE: EINVAL; max_entries above NR_CPUS:
//            E2BIG
//   update   flags above BPF_EXIST: EINVAL; a key past the end: E2BIG;
//            BPF_NOEXIST: EEXIST; qsize above 16384: EOVERFLOW; a cpu that
//            is not possible: ENODEV; qsize 0 empties the entry; a program
//            that cannot be had: ENOMEM (the kernel's entry allocation fails
//            as a whole)
//   delete   a key past the end: EINVAL; else 0
//   host lookup  the value (qsize, and the program's id or 0); ENOENT
//   owner    the first program that uses the map or is stored in it fixes
//            the others' type (bpf_prog_map_compatible, as devmap.cc)
//   programs     only bpf_redirect_map (the verifier refuses lookups)
#include <mutex>

#include "area.h"
#include "flags.h"
#include "map_types.h"
#include "redirect_entry.h"
#include "ringb/cpu.h"

namespace ringb::maps::detail {
namespace {

// NR_CPUS of the kernel ringb follows (Debian's x86-64 6.18 config).
constexpr uint32_t kNrCpus = 256;
constexpr uint32_t kMaxQsize = 16384;  // cpu_map_update_elem's sanity limit
constexpr uint32_t kXdpProgType = 6;   // BPF_PROG_TYPE_XDP

class CpuMap final : public Map {
 public:
  CpuMap(const MapDef& def, ProgResolver resolver) : Map(def), resolver_(std::move(resolver)) {}
  Status init(const Options& options) { return slots_.init(def_.max_entries, options.cgroup, "cpumap slots"); }

  // What bpf_redirect_map finds (__cpu_map_lookup_elem); programs cannot
  // call the lookup helper on a cpumap.
  void* lookup_elem(const void* key) override {
    RedirectEntry* e = at(u32_at(key));
    return e ? e->value : nullptr;
  }
  // bpf_check_tail_call: a cpumap's users and entry programs are of one type.
  bool claim_prog_type(uint32_t type, const void* const*) override { return owner_.claim(type); }
  // The host lets go of the map: entries holding programs go (see redirect_entry.h).
  void clear_progs() override { slots_.clear_progs(); }
  Stats stats() const override {
    Stats s;
    for (uint32_t i = 0; i < def_.max_entries; ++i) s.elements += at(i) != nullptr;  // cpus with a queue
    s.memory_bytes = slots_.bytes();
    return s;
  }

 protected:
  long do_host_lookup(const void* key, void* value_out, int) override {
    RedirectEntry* e = at(u32_at(key));
    if (!e) return -ENOENT;
    std::memcpy(value_out, e->value, def_.value_size);
    return 0;
  }
  long do_host_update(const void* key, const void* value, uint64_t flags, int) override {
    const uint32_t cpu = u32_at(key);
    uint32_t val[2] = {0, 0};
    std::memcpy(val, value, def_.value_size);
    if (flags > kExist) return -EINVAL;
    if (cpu >= def_.max_entries) return -E2BIG;
    if (flags == kNoExist) return -EEXIST;
    if (val[0] > kMaxQsize) return -EOVERFLOW;
    if (cpu >= cpu::nr_cpus()) return -ENODEV;
    RedirectEntry* e = nullptr;
    if (val[0] != 0) {
      ProgRef prog;
      if (static_cast<int32_t>(val[1]) > 0) {
        auto p = resolver_ ? resolver_(val[1]) : Expected<ProgRef>(Error{EBADF, "no program resolver"});
        if (!p || p->type != kXdpProgType || !owner_.claim(p->type)) return -ENOMEM;
        prog = *p;
      }
      e = new RedirectEntry;
      e->key = cpu;
      e->value[0] = val[0];
      e->value[1] = prog.prog ? prog.id : 0;
      e->prog = std::move(prog);
    }
    slots_.replace(cpu, e);  // __cpu_map_entry_replace
    return 0;
  }
  long do_host_delete(const void* key, int) override {
    const uint32_t cpu = u32_at(key);
    if (cpu >= def_.max_entries) return -EINVAL;
    slots_.replace(cpu, nullptr);
    return 0;
  }
  long do_host_get_next_key(const void* key, void* next_key) override {
    return array_next_key(def_.max_entries, key, next_key);
  }

 private:
  RedirectEntry* at(uint32_t i) const { return slots_.at(i); }

  ProgResolver resolver_;
  ProgOwner owner_;
  RedirectSlots slots_;
};

}  // namespace

MapResult create_cpu_map(const MapDef& def, const Options& options) {
  if (def.max_entries == 0 || def.key_size != 4 || (def.value_size != 4 && def.value_size != 8))
    return einval("a cpumap needs key_size 4, value_size 4 or 8 (struct bpf_cpumap_val) and max_entries above 0");
  if (def.map_flags & ~kFNumaNode) return bad_flags(def.map_flags, kFNumaNode, "cpumap");
  if (def.max_entries > kNrCpus) return e2big("a cpumap has at most NR_CPUS (" + std::to_string(kNrCpus) + ") entries");
  auto m = std::make_unique<CpuMap>(def, options.prog_resolver);
  if (Status s = m->init(options); !s) return s.error();
  return std::unique_ptr<Map>(std::move(m));
}

}  // namespace ringb::maps::detail
