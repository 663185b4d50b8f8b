// prealloc_freelist.h — the free elements of a preallocated hash map: the
// kernel's pcpu_freelist. An element unlinked from the table (deleted, or
// replaced) goes back at once and may be handed out by the next pop(), as in
// the kernel: readers still standing on it see a valid element, perhaps of
// another key (htab_elem.h says why that is safe).
//
// Each cpu has one list under that cpu's lock. pop() takes from its own cpu's
// list first, then from the others', then from the extra list; push() puts
// on its own cpu's list, or on the first other one whose lock it can have.
//
// Concurrency: any thread holding a cpu slot (programs, host commands). A
// signal handler that interrupted its thread inside a list operation finds
// its own cpu's lock held by itself (CpuSpinLock returns -EDEADLK) and uses
// the other cpus' lists, as the kernel's NMI path does; one that can take no
// lock at all (a single cpu) pushes onto the extra list, lock-free.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "cpu_spinlock.h"

namespace ringb::maps::detail {

// The link of a free element (embedded in it; never read by table readers).
struct FreeNode {
  FreeNode* next;
};

class PcpuFreelist {
 public:
  explicit PcpuFreelist(unsigned nr_cpus);
  PcpuFreelist(const PcpuFreelist&) = delete;
  PcpuFreelist& operator=(const PcpuFreelist&) = delete;

  // At creation, before any concurrent use: `count` nodes `stride` bytes apart
  // from `base`, spread evenly over the cpus (pcpu_freelist_populate).
  void populate(char* base, size_t stride, size_t count);

  // A free element, or nullptr when every element is in use.
  FreeNode* pop(int cpu);
  // An element no longer linked (or never linked): reusable at once.
  void push(int cpu, FreeNode* n);

  // Nodes on the cpus' lists (not the extra list); racy, for tests.
  uint64_t free_count() const;

 private:
  struct List {
    FreeNode* head = nullptr;
    std::atomic<uint32_t> count{0};  // written under the lock; read racily as a hint

    void push(FreeNode* n);
    FreeNode* pop();
  };
  struct alignas(64) CpuList {
    CpuSpinLock lock;
    List list;
  };

  FreeNode* pop_from_cpus(int cpu, bool use_hint);
  FreeNode* pop_extra(int cpu);
  void push_extra(FreeNode* n);

  const unsigned nr_cpus_;
  std::unique_ptr<CpuList[]> cpus_;
  // Frees from a signal handler that found no lock it could take (the
  // kernel's extralist). Lock-free and ABA-free: nodes are pushed one by one
  // and taken all at once (exchange), never popped singly.
  std::atomic<FreeNode*> extra_{nullptr};
};

}  // namespace ringb::maps::detail
