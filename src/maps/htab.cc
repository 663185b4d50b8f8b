// htab.cc — creating and destroying the hash table, its statistics, and where
// elements come from and go back to (both memory modes; see htab.h). The
// operations are in htab_ops.cc (update/delete) and htab_host.cc (host-side
// reads and iteration).
#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <random>

#include "flags.h"
#include "htab.h"
#include "ringb/cpu.h"
#include "ringb/objects.h"
#include "ringb/rcu.h"

namespace ringb::maps::detail {
namespace {

constexpr uint64_t kKernelHtabElemSize = 48;  // sizeof(struct htab_elem) on x86-64
constexpr uint64_t kKernelBucketSize = 16;    // sizeof(struct bucket)

}  // namespace

Htab::Htab(const MapDef& def, bool percpu) : Map(def), value_bytes_(def.value_size), percpu_(percpu) {}

Status Htab::check_def(const MapDef& def, bool percpu) {
  const char* type = percpu ? "percpu_hash" : "hash";
  const uint32_t allowed = kFNoPrealloc | kFNoCommonLru | kFNumaNode | kAccessMask | kFZeroSeed;
  if (def.map_flags & ~allowed) return bad_flags(def.map_flags, allowed, type);
  if (def.map_flags & kFNoCommonLru) return einval("BPF_F_NO_COMMON_LRU is for LRU hash maps only");
  if (percpu && (def.map_flags & kFNumaNode))
    return einval("a per-cpu hash map cannot be placed on a NUMA node");
  if (def.max_entries == 0 || def.key_size == 0 || def.value_size == 0)
    return einval("key_size, value_size and max_entries must all be above 0 (got " +
                  std::to_string(def.key_size) + ", " + std::to_string(def.value_size) + ", " +
                  std::to_string(def.max_entries) + ")");
  if (uint64_t{def.key_size} + def.value_size >= kKmallocMaxSize - kKernelHtabElemSize)
    return e2big("key_size + value_size must stay below " +
                 std::to_string(kKmallocMaxSize - kKernelHtabElemSize) + " bytes");
  if (percpu && round_up8(def.value_size) > kPcpuMinUnitSize)
    return e2big("a per-cpu value is at most " + std::to_string(kPcpuMinUnitSize) + " bytes");
  // htab_map_alloc(): the bucket array must stay addressable in 32 bits.
  if (def.max_entries > (1u << 31) ||
      std::bit_ceil(uint64_t{def.max_entries}) > UINT32_MAX / kKernelBucketSize)
    return e2big("max_entries " + std::to_string(def.max_entries) +
                 " needs more hash buckets than a map may have");
  return {};
}

Status Htab::init(const Options& options) {
  set_record(options.record);
  nr_cpus_ = cpu::nr_cpus();
  prealloc_ = !lru_ && !(def_.map_flags & kFNoPrealloc) && !options.force_dyn_alloc;
  if (!prealloc_ && !lru_) def_.map_flags |= kFNoPrealloc;  // as bpf_force_dyn_alloc does
  key_rounded_ = static_cast<uint32_t>(round_up8(def_.key_size));
  value_rounded_ = static_cast<uint32_t>(round_up8(def_.value_size));
  elem_size_ = static_cast<uint32_t>(sizeof(HtabElem)) + key_rounded_ + (percpu_ ? 0 : value_rounded_);
  n_buckets_ = std::bit_ceil(def_.max_entries);
  if (!(def_.map_flags & kFZeroSeed)) hashrnd_ = std::random_device{}();

  auto buckets = Area::alloc(uint64_t{n_buckets_} * sizeof(Bucket), options.cgroup, "hash buckets");
  if (!buckets) return buckets.error();
  buckets_area_ = std::move(buckets.value());
  buckets_ = reinterpret_cast<Bucket*>(buckets_area_.data());
  for (uint32_t i = 0; i < n_buckets_; ++i) {
    Bucket* b = new (&buckets_[i]) Bucket{};
    b->head.store(nulls_marker(i), std::memory_order_relaxed);
  }
  count_ = std::make_unique<ElemCount>(def_.max_entries, nr_cpus_);
  return prealloc_ ? init_prealloc(options) : init_dynamic(options);
}

// prealloc_init(): every element, threaded onto the free list; a plain hash
// has one more per cpu, taken off it as that cpu's spare (alloc_extra_elems()).
Status Htab::init_prealloc(const Options& options) {
  const uint32_t extra = percpu_ ? 0 : nr_cpus_;
  const uint64_t n = uint64_t{def_.max_entries} + extra;
  auto elems = Area::alloc(n * elem_size_, options.cgroup, "preallocated hash elements");
  if (!elems) return elems.error();
  elems_area_ = std::move(elems.value());
  if (percpu_) {
    auto values = Area::alloc(n * nr_cpus_ * value_rounded_, options.cgroup, "per-cpu values");
    if (!values) return values.error();
    percpu_area_ = std::move(values.value());
  }
  for (uint64_t i = 0; i < n; ++i) {
    HtabElem* e = new (elems_area_.data() + i * elem_size_) HtabElem{};
    if (percpu_) e->pptr.store(percpu_area_.data() + i * nr_cpus_ * value_rounded_, std::memory_order_relaxed);
  }
  freelist_ = std::make_unique<PcpuFreelist>(nr_cpus_);
  freelist_->populate(elems_area_.data(), elem_size_, n);
  if (!percpu_) {
    spares_ = std::make_unique<Spare[]>(nr_cpus_);
    for (unsigned c = 0; c < nr_cpus_; ++c)
      spares_[c].elem.store(elem_of(freelist_->pop(static_cast<int>(c))), std::memory_order_relaxed);
  }
  return {};
}

Status Htab::init_dynamic(const Options& options) {
  mem::Options mo;
  mo.name = "htab '" + def_.name + "'";
  mo.unit_size = elem_size_ + tail_bytes_;
  mo.cgroup = options.cgroup;
  mo.constructor = [](void* p) { new (p) HtabElem{}; };
  auto ma = mem::MemAlloc::create(mo);
  if (!ma) return ma.error();
  ma_ = std::move(ma.value());
  if (percpu_) {
    mo.name = "htab '" + def_.name + "' per-cpu values";
    mo.unit_size = value_rounded_;
    mo.percpu = true;
    mo.constructor = nullptr;
    auto pma = mem::MemAlloc::create(mo);
    if (!pma) return pma.error();
    pcpu_ma_ = std::move(pma.value());
  }
  return {};
}

Htab::~Htab() {
  // Destroying an allocated map waits for grace periods (the allocator's
  // barriers), which would wait for this very reader; no map may go while a
  // program or host call could still use it.
  if (rcu::read_ongoing()) {
    std::fprintf(stderr, "ringb maps: hash map '%s' destroyed inside an RCU read-side section\n",
                 def_.name.c_str());
    std::abort();
  }
  // What the values hold goes first. Preallocated: every element, in the
  // table or not (htab_free_prealloced_fields), so that what a program
  // stashed into an element after it was deleted is freed too. Allocated:
  // the elements in the table (delete_all_elements); a deleted one gave its
  // fields up then, and has them freed again when it is reused — what a
  // program stashes into one that is never reused stays (the kernel frees
  // that through the allocator's destructor, which ringb's lacks).
  if (frees_fields() && buckets_) {
    cpu::CpuGuard cpu;
    if (prealloc_) {
      if (freelist_)  // the elements were built
        for (size_t off = 0; off + elem_size_ <= elems_area_.size(); off += elem_size_)
          free_value_fields(reinterpret_cast<HtabElem*>(elems_area_.data() + off));
    } else {
      for (uint32_t i = 0; i < n_buckets_; ++i)
        for (uintptr_t link = buckets_[i].head.load(std::memory_order_relaxed); !is_nulls(link);) {
          HtabElem* e = link_elem(link);
          link = e->next.load(std::memory_order_relaxed);
          free_value_fields(e);
        }
    }
  }
  // Preallocated elements die with their area; allocated ones go back to
  // their allocator first (which then returns everything to malloc).
  if (prealloc_ || !ma_) return;
  for (uint32_t i = 0; i < n_buckets_; ++i) {
    uintptr_t link = buckets_[i].head.load(std::memory_order_relaxed);
    while (!is_nulls(link)) {
      HtabElem* e = link_elem(link);
      link = e->next.load(std::memory_order_relaxed);
      if (percpu_) pcpu_ma_->cache_free(e->pcpu_obj);
      ma_->cache_free(e);
    }
  }
}

void Htab::free_value_fields(HtabElem* e) const {
  if (!frees_fields()) return;
  if (!percpu_) return obj::free_fields(*record_, value_of(e));
  for (unsigned c = 0; c < nr_cpus_; ++c) obj::free_fields(*record_, percpu_value(e, c));
}

void Htab::prepare_value_fields(char* value) const {
  if (frees_fields()) obj::free_fields(*record_, value);
  if (record_ && record_->fields.refcount_off >= 0)
    std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(value + record_->fields.refcount_off))
        .store(1, std::memory_order_release);
  if (def_.spin_lock_off >= 0)
    std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(value + def_.spin_lock_off))
        .store(0, std::memory_order_release);
}

Stats Htab::stats() const {
  Stats s;
  s.elements = static_cast<uint64_t>(std::max<int64_t>(count_->sum(), 0));
  s.memory_bytes = buckets_area_.size() + elems_area_.size() + percpu_area_.size();
  if (ma_) s.memory_bytes += ma_->bytes_held();
  if (pcpu_ma_) s.memory_bytes += pcpu_ma_->bytes_held();
  s.prealloc = prealloc_;
  s.percpu_counter = count_->percpu();
  return s;
}

// ---- element memory ------------------------------------------------------------

HtabElem* Htab::alloc_elem(int cpu) {
  if (prealloc_) {
    FreeNode* n = freelist_->pop(cpu);
    return n ? elem_of(n) : nullptr;
  }
  void* p = ma_->cache_alloc();
  if (!p) return nullptr;
  // Constructed when its memory was new (the allocator's constructor); a
  // reused one keeps its chain link and sequence count for readers still on it.
  HtabElem* e = static_cast<HtabElem*>(p);
  if (percpu_) {
    void* obj = pcpu_ma_->cache_alloc();
    if (!obj) {
      ma_->cache_free(p);
      return nullptr;
    }
    e->pcpu_obj = obj;
    e->pptr.store(static_cast<char*>(mem::MemAlloc::percpu_ptr(obj, 0)), std::memory_order_relaxed);
#if RINGB_DEBUG_CHECKS
    if (nr_cpus_ > 1 && static_cast<char*>(mem::MemAlloc::percpu_ptr(obj, 1)) != percpu_value(e, 1))
      std::abort();  // the allocator's per-cpu stride is not round_up(value_size, 8)
#endif
  }
  return e;
}

void Htab::free_unused_elem(int cpu, HtabElem* e) {
  if (prealloc_) {
    freelist_->push(cpu, &e->fnode);
    return;
  }
  if (percpu_) pcpu_ma_->cache_free(e->pcpu_obj);
  ma_->cache_free(e);
}

// Reusable at once, like a never-linked one: the kernel's free_htab_elem()
// (pcpu_freelist_push) and htab_elem_free(). Allocated memory returns to
// malloc only after grace periods, and preallocated memory never, so a
// reader still on the element never touches freed memory.
void Htab::free_elem(int cpu, HtabElem* e) { free_unused_elem(cpu, e); }

HtabElem* Htab::take_spare(int cpu) {
  if (HtabElem* e = spares_[static_cast<unsigned>(cpu)].elem.exchange(nullptr, std::memory_order_acq_rel))
    return e;
  FreeNode* n = freelist_->pop(cpu);
  return n ? elem_of(n) : nullptr;
}

void Htab::park_replaced(int cpu, HtabElem* old) {
  HtabElem* none = nullptr;
  if (!spares_[static_cast<unsigned>(cpu)].elem.compare_exchange_strong(none, old, std::memory_order_release,
                                                                      std::memory_order_relaxed))
    freelist_->push(cpu, &old->fnode);  // a nested handler refilled the slot first
}

}  // namespace ringb::maps::detail
