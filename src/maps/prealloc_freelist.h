// prealloc_freelist.h — the free elements of a preallocated hash map: the
// kernel's pcpu_freelist, plus one rule the kernel does not have: an element
// unlinked from the table is reused only after an RCU grace period.
//
// Each cpu has three lists, under that cpu's lock:
//
//   ready     reusable now; pop() takes from here first (own cpu, then others)
//   pending   unlinked since the last grace period began        ─┐ gp thread:
//   waiting   unlinked before it; free after it ends             │ pending → waiting,
//                                                                ─┘ GP, waiting → ready
//
// so a program that found an element inside its RCU section reads that key
// and value until the section ends, even if the element is deleted or
// replaced meanwhile. Only when no cpu has a ready element does pop() recycle
// a waiting one at once (the batch in flight first, oldest element first: the
// one least likely to still be read), which is the kernel's behaviour
// (immediate reuse; lookups restart through the hlist_nulls markers) and is
// counted in early_reuses().
//
// Concurrency: any thread holding a cpu slot (programs, host commands) and
// the gp thread. A thread uses its own cpu's lists first and takes other
// cpus' locks when its own are empty. A signal handler that interrupted its
// thread inside a list operation finds its own cpu's lock held by itself
// (CpuSpinLock returns -EDEADLK) and uses the other cpus' lists, as the
// kernel's NMI path does.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "cpu_spinlock.h"
#include "gp_reclaim.h"

namespace ringb::maps::detail {

// The link of a free element (embedded in it; never read by table readers).
struct FreeNode {
  FreeNode* next;
};

class PcpuFreelist final : public GpClient {
 public:
  explicit PcpuFreelist(unsigned nr_cpus);
  ~PcpuFreelist() override;  // drops its grace-period request first
  PcpuFreelist(const PcpuFreelist&) = delete;
  PcpuFreelist& operator=(const PcpuFreelist&) = delete;

  // At creation, before any concurrent use: `count` nodes `stride` bytes apart
  // from `base`, spread evenly over the cpus (pcpu_freelist_populate).
  void populate(char* base, size_t stride, size_t count);

  // A free element, or nullptr when every element is in the table.
  FreeNode* pop(int cpu);
  // An element that was never linked into the table: ready at once.
  void push_unused(int cpu, FreeNode* n);
  // An element just unlinked from the table: ready after a grace period.
  void push_freed(int cpu, FreeNode* n);

  uint64_t early_reuses() const { return early_reuses_.load(std::memory_order_relaxed); }
  uint64_t awaiting_gp() const;  // racy

 private:
  struct List {
    FreeNode* head = nullptr;
    FreeNode* tail = nullptr;
    std::atomic<uint32_t> count{0};  // written under the lock; read racily as a hint

    void push(FreeNode* n);       // at the front (ready: LIFO, cache-warm)
    void push_back(FreeNode* n);  // at the back (pending: FIFO, oldest at the front)
    FreeNode* pop();              // from the front
    void splice_front(List& other);  // moves all of `other` to the front of this list
  };
  struct alignas(64) CpuLists {
    CpuSpinLock lock;
    List ready, pending, waiting;
  };
  enum class Which { Ready, Waiting, Pending };

  List& list_of(CpuLists& c, Which w);
  FreeNode* pop_from(int cpu, Which w, bool use_hint);
  bool push_to(int cpu, Which w, FreeNode* n);
  void push_extra(FreeNode* n);
  bool gp_collect() override;
  void gp_release() override;

  const unsigned nr_cpus_;
  std::unique_ptr<CpuLists[]> cpus_;
  // Frees from a signal handler that found no lock it could take (the
  // kernel's extralist): pushed lock-free, drained by gp_collect().
  std::atomic<FreeNode*> extra_{nullptr};
  std::atomic<uint64_t> early_reuses_{0};
};

}  // namespace ringb::maps::detail
