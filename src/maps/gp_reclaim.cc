// gp_reclaim.cc — the grace-period thread (see gp_reclaim.h).
//
// Requests are a lock-free stack of clients (push: CAS; take: exchange), so
// that a program in a signal handler can request. Rounds — the thread's and
// gp_flush()'s — run under round_mu_, which is also what gp_forget() waits
// on, so a client is never served after it was forgotten.
#include "gp_reclaim.h"

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "../rcu/futex.h"
#include "../rcu/signals.h"
#include "ringb/rcu.h"

namespace ringb::maps::detail {

class GpThread {
 public:
  static constexpr auto kMinRoundInterval = std::chrono::microseconds(50);

  // Signals blocked in the new thread: a host's handlers never run on it.
  GpThread() {
    ringb::detail::SignalsBlocked blocked;
    thread_ = std::thread([this] { loop(); });
    thread_.detach();
  }

  void request(GpClient* c) {
    if (c->queued_.load(std::memory_order_relaxed) ||
        c->queued_.exchange(true, std::memory_order_acq_rel))
      return;
    push(c, c);
    if (sleeping_.load(std::memory_order_seq_cst)) {
      wake_.fetch_add(1, std::memory_order_seq_cst);
      ringb::detail::futex_wake(wake_, 1);
    }
  }

  void forget(GpClient* c) {
    std::lock_guard<std::mutex> lock(round_mu_);
    if (!c->queued_.load(std::memory_order_acquire)) return;
    // Only rounds take from the stack, and none runs: rebuild it without c.
    GpClient* list = requests_.exchange(nullptr, std::memory_order_acquire);
    while (list) {
      GpClient* next = list->next_;
      if (list != c) push(list, list);
      list = next;
    }
    c->queued_.store(false, std::memory_order_relaxed);
  }

  void run_round() {
    std::lock_guard<std::mutex> lock(round_mu_);
    GpClient* list = requests_.exchange(nullptr, std::memory_order_acquire);
    if (!list) return;
    // Copy the batch out before clearing `queued`: from then on a client may
    // be pushed again, which rewrites its link.
    batch_.clear();
    for (; list; list = list->next_) batch_.push_back(list);
    bool any = false;
    for (GpClient* c : batch_) {
      c->queued_.store(false, std::memory_order_seq_cst);
      any |= c->gp_collect();
    }
    if (any) rcu::synchronize(rcu::Domain::Rcu);
    for (GpClient* c : batch_) c->gp_release();
  }

 private:
  void push(GpClient* first, GpClient* last) {
    GpClient* head = requests_.load(std::memory_order_relaxed);
    do {
      last->next_ = head;
    } while (!requests_.compare_exchange_weak(head, first, std::memory_order_release,
                                              std::memory_order_relaxed));
  }

  void loop() {
    auto last_round = std::chrono::steady_clock::now() - kMinRoundInterval;
    for (;;) {
      if (requests_.load(std::memory_order_seq_cst)) {
        const auto since = std::chrono::steady_clock::now() - last_round;
        if (since < kMinRoundInterval) std::this_thread::sleep_for(kMinRoundInterval - since);
        run_round();
        last_round = std::chrono::steady_clock::now();
        continue;
      }
      const uint32_t seq = wake_.load(std::memory_order_seq_cst);
      sleeping_.store(true, std::memory_order_seq_cst);
      if (!requests_.load(std::memory_order_seq_cst)) ringb::detail::futex_wait(wake_, seq);
      sleeping_.store(false, std::memory_order_seq_cst);
    }
  }

  std::atomic<GpClient*> requests_{nullptr};
  std::atomic<bool> sleeping_{false};
  std::atomic<uint32_t> wake_{0};  // futex word, bumped to wake the thread
  std::mutex round_mu_;            // held for a whole round
  std::vector<GpClient*> batch_;   // the round's clients (under round_mu_)
  std::thread thread_;
};

namespace {

// Created on first use and never destroyed: maps may outlive static
// destructors, and the detached thread must always find it.
GpThread& gp_thread() {
  static GpThread* t = new GpThread();
  return *t;
}

}  // namespace

void gp_start() { gp_thread(); }
void gp_request(GpClient* c) { gp_thread().request(c); }
void gp_forget(GpClient* c) { gp_thread().forget(c); }
void gp_flush() { gp_thread().run_round(); }

}  // namespace ringb::maps::detail
