// queue_stack_map.cc — BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK (the kernel's
// queue_stack_maps.c): a ring of max_entries + 1 slots of value_size bytes
// (one slot stays empty so that full and empty differ), under one spinlock.
// max_entries + 1 and the ring's size are 64-bit: UINT32_MAX entries is a
// 2^32-slot ring (ENOMEM unless memory allows it), never a wrapped one.
//
//   queue  push at head, pop and peek at tail (FIFO)
//   stack  push at head, pop and peek at head - 1 (LIFO)
//   full   push with BPF_EXIST overwrites the oldest value (tail), both kinds;
//          otherwise -E2BIG
//
// Concurrency: every operation holds the lock; a signal handler that
// interrupted its own thread inside it gets -EBUSY (the kernel's rqspinlock
// failure). Values are copied under the lock, so nobody sees them half done.
#include <cstring>

#include "area.h"
#include "cpu_scope.h"
#include "cpu_spinlock.h"
#include "flags.h"
#include "map_types.h"

namespace ringb::maps::detail {
namespace {

class QueueStackMap final : public Map {
 public:
  QueueStackMap(const MapDef& def, bool stack)
      : Map(def), stack_(stack), size_(uint64_t{def.max_entries} + 1) {}

  // queue_stack_map_alloc_check().
  static Status check_def(const MapDef& def, const char* type) {
    const uint32_t allowed = kFNumaNode | kAccessMask;
    if (def.max_entries == 0 || def.key_size != 0 || def.value_size == 0 || (def.map_flags & ~allowed))
      return (def.map_flags & ~allowed)
                 ? bad_flags(def.map_flags, allowed, type)
                 : einval(std::string("a ") + type +
                          " map needs key_size 0 and value_size, max_entries above 0 (got " +
                          std::to_string(def.key_size) + ", " + std::to_string(def.value_size) +
                          ", " + std::to_string(def.max_entries) + ")");
    if (def.value_size > kKmallocMaxSize)
      return e2big("value_size is at most " + std::to_string(kKmallocMaxSize) + " bytes");
    return {};
  }

  Status init(const Options& options) {
    auto area = Area::alloc(size_ * def_.value_size, options.cgroup, "queue/stack slots");
    if (!area) return area.error();
    slots_ = std::move(area.value());
    return {};
  }

  long push_elem(const void* value, uint64_t flags) override {
    CpuScope scope;
    return push(scope.cpu(), value, flags);
  }
  long pop_elem(void* value) override {
    CpuScope scope;
    return get(scope.cpu(), value, true, true);
  }
  long peek_elem(void* value) override {
    CpuScope scope;
    return get(scope.cpu(), value, false, true);
  }

  Stats stats() const override {
    Stats s;
    s.elements = (head_.load(std::memory_order_relaxed) + size_ - tail_.load(std::memory_order_relaxed)) % size_;
    s.memory_bytes = slots_.size();
    s.prealloc = true;
    return s;
  }

 protected:
  // The host reads by peeking, writes by pushing, and pops with
  // lookup-and-delete; a failed read leaves the buffer alone.
  long do_host_lookup(const void*, void* value_out, int cpu) override {
    return get(cpu, value_out, false, false);
  }
  long do_host_update(const void*, const void* value, uint64_t flags, int cpu) override {
    return push(cpu, value, flags);
  }
  long do_host_delete(const void*, int) override { return -EINVAL; }
  long do_host_get_next_key(const void*, void*) override { return -EINVAL; }
  long do_host_lookup_and_delete(const void*, void* value_out, uint64_t, int cpu) override {
    return get(cpu, value_out, true, false);
  }

 private:
  char* slot(uint32_t i) const { return slots_.data() + uint64_t{i} * def_.value_size; }
  uint32_t next(uint32_t i) const { return uint64_t{i} + 1 >= size_ ? 0 : i + 1; }

  // queue_stack_map_push_elem().
  long push(int cpu, const void* value, uint64_t flags) {
    if ((flags & kNoExist) || flags > kExist) return -EINVAL;
    if (lock_.lock(lock_tag(cpu)) != 0) return -EBUSY;
    uint32_t head = head_.load(std::memory_order_relaxed), tail = tail_.load(std::memory_order_relaxed);
    if (next(head) == tail) {  // full
      if (!(flags & kExist)) {
        lock_.unlock();
        return -E2BIG;
      }
      tail = next(tail);  // drop the oldest
    }
    std::memcpy(slot(head), value, def_.value_size);
    head_.store(next(head), std::memory_order_relaxed);
    tail_.store(tail, std::memory_order_relaxed);
    lock_.unlock();
    return 0;
  }

  // __queue_map_get() / __stack_map_get(). A program's buffer is zeroed when
  // there is nothing to get; the host's is left alone (the syscall copies
  // nothing back on failure).
  long get(int cpu, void* value, bool remove, bool zero_on_empty) {
    if (lock_.lock(lock_tag(cpu)) != 0) return -EBUSY;
    const uint32_t head = head_.load(std::memory_order_relaxed), tail = tail_.load(std::memory_order_relaxed);
    if (head == tail) {
      lock_.unlock();
      if (zero_on_empty) std::memset(value, 0, def_.value_size);
      return -ENOENT;
    }
    if (stack_) {
      const uint32_t top = head == 0 ? static_cast<uint32_t>(size_ - 1) : head - 1;
      std::memcpy(value, slot(top), def_.value_size);
      if (remove) head_.store(top, std::memory_order_relaxed);
    } else {
      std::memcpy(value, slot(tail), def_.value_size);
      if (remove) tail_.store(next(tail), std::memory_order_relaxed);
    }
    lock_.unlock();
    return 0;
  }

  const bool stack_;
  const uint64_t size_;  // max_entries + 1: indices below it fit in 32 bits
  Area slots_;
  CpuSpinLock lock_;
  // Under lock_; atomic only so that stats() may read them racily.
  std::atomic<uint32_t> head_{0}, tail_{0};
};

MapResult create(const MapDef& def, const Options& options, bool stack) {
  if (Status s = QueueStackMap::check_def(def, stack ? "stack" : "queue"); !s) return s.error();
  auto map = std::make_unique<QueueStackMap>(def, stack);
  if (Status s = map->init(options); !s) return s.error();
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace

MapResult create_queue_map(const MapDef& def, const Options& options) { return create(def, options, false); }
MapResult create_stack_map(const MapDef& def, const Options& options) { return create(def, options, true); }

}  // namespace ringb::maps::detail
