// spsc_ring.h — a bounded lock-free single-producer single-consumer ring of
// pointers, and the spin-wait the benchmark threads use.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>

namespace ringb_bench {

// One step of a spin-wait. Every 64th step yields: this machine may have no
// more cores than busy threads, and the thread we wait for (the consumer, or
// ringb's background worker) then needs ours.
inline void relax(uint64_t step) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
  if (step % 64 == 0) std::this_thread::yield();
}

template <size_t N>
class SpscRing {
  static_assert(N >= 2 && (N & (N - 1)) == 0, "capacity must be a power of two");

 public:
  // Producer only; false when the ring is full.
  bool push(void* p) {
    const size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_seen_ == N) {
      head_seen_ = head_.load(std::memory_order_acquire);
      if (tail - head_seen_ == N) return false;
    }
    slots_[tail % N] = p;
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  // Consumer only; nullptr when the ring is empty.
  void* pop() {
    const size_t head = head_.load(std::memory_order_relaxed);
    if (head == tail_seen_) {
      tail_seen_ = tail_.load(std::memory_order_acquire);
      if (head == tail_seen_) return nullptr;
    }
    void* p = slots_[head % N];
    head_.store(head + 1, std::memory_order_release);
    return p;
  }

 private:
  // Each side's index, with its cached copy of the other side's, on a cache
  // line of its own: the other side's index is read only when the cached one
  // says full (or empty).
  alignas(64) std::atomic<size_t> tail_{0};
  size_t head_seen_ = 0;  // producer's
  alignas(64) std::atomic<size_t> head_{0};
  size_t tail_seen_ = 0;  // consumer's
  alignas(64) std::array<void*, N> slots_{};
};

}  // namespace ringb_bench
