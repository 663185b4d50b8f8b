// elem_count.cc — see elem_count.h.
#include "elem_count.h"

#include "ringb/cpu.h"

namespace ringb::maps::detail {

ElemCount::ElemCount(uint32_t max_entries, unsigned nr_cpus)
    : percpu_(max_entries / 2 > nr_cpus * static_cast<uint32_t>(kBatch)),
      max_entries_(max_entries),
      nr_cpus_(nr_cpus) {
  if (percpu_) deltas_ = std::make_unique<Delta[]>(nr_cpus);
}

bool ElemCount::try_inc(int cpu) {
  if (!percpu_) {
    if (count_.fetch_add(1, std::memory_order_relaxed) < max_entries_) return true;
    count_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  if (is_full()) return false;
  add(cpu, 1);
  return true;
}

void ElemCount::inc(int cpu) {
  if (!percpu_)
    count_.fetch_add(1, std::memory_order_relaxed);
  else
    add(cpu, 1);
}

void ElemCount::dec(int cpu) {
  if (!percpu_)
    count_.fetch_sub(1, std::memory_order_relaxed);
  else
    add(cpu, -1);
}

// percpu_counter_add_batch().
void ElemCount::add(int cpu, int32_t amount) {
  if (cpu < 0) {  // no slot (never for map updates): straight to the global part
    count_.fetch_add(amount, std::memory_order_relaxed);
    return;
  }
  std::atomic<int32_t>& delta = deltas_[static_cast<unsigned>(cpu)].v;
  const int32_t d = delta.fetch_add(amount, std::memory_order_relaxed) + amount;
  if (d < kBatch && d > -kBatch) return;
  // Fold. A handler that interrupted a fold on this cpu keeps its delta.
  if (fold_lock_.lock(lock_tag(cpu)) != 0) return;
  count_.fetch_add(d, std::memory_order_relaxed);
  delta.fetch_sub(d, std::memory_order_relaxed);
  fold_lock_.unlock();
}

// __percpu_counter_compare(count, max_entries, batch) >= 0.
bool ElemCount::is_full() const {
  const int64_t approx = count_.load(std::memory_order_relaxed);
  if (static_cast<int64_t>(max_entries_) - approx > int64_t{kBatch} * nr_cpus_) return false;
  return sum() >= max_entries_;
}

int64_t ElemCount::sum() const {
  if (!percpu_) return count_.load(std::memory_order_relaxed);
  // Interrupting a fold on this cpu: the racy sum is the best there is.
  const bool locked = fold_lock_.lock(lock_tag(cpu::current())) == 0;
  int64_t s = count_.load(std::memory_order_relaxed);
  for (unsigned c = 0; c < nr_cpus_; ++c) s += deltas_[c].v.load(std::memory_order_relaxed);
  if (locked) fold_lock_.unlock();
  return s;
}

}  // namespace ringb::maps::detail
