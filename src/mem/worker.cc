// worker.cc — the background thread behind queue_work() (see worker.h).
#include "worker.h"

#include <mutex>
#include <thread>

#include "../rcu/futex.h"
#include "../rcu/signals.h"

namespace ringb::mem::detail {
namespace {

class Worker {
 public:
  // The thread inherits a mask with every signal blocked: a host's handlers
  // never run on ringb's own threads.
  Worker() {
    ringb::detail::SignalsBlocked blocked;
    thread_ = std::thread([this] { loop(); });
    thread_.detach();
  }

  void queue(WorkItem* w) {
    if (w->queued.exchange(true, std::memory_order_acq_rel)) return;
    WorkItem* head = pending_.load(std::memory_order_relaxed);
    do {
      w->next = head;
    } while (!pending_.compare_exchange_weak(head, w, std::memory_order_seq_cst,
                                             std::memory_order_relaxed));
    if (sleeping_.load(std::memory_order_seq_cst)) {
      wake_.fetch_add(1, std::memory_order_seq_cst);
      ringb::detail::futex_wake(wake_, 1);
    }
  }

  // Runs everything pending now. The mutex makes callers wait for a batch the
  // worker thread has taken but not finished.
  void run_pending() {
    std::lock_guard<std::mutex> lock(run_mu_);
    for (int round = 0; round < 8; ++round) {
      WorkItem* list = pending_.exchange(nullptr, std::memory_order_acquire);
      if (!list) return;
      // The stack is newest first; run oldest first.
      WorkItem* fifo = nullptr;
      while (list) {
        WorkItem* next = list->next;
        list->next = fifo;
        fifo = list;
        list = next;
      }
      while (fifo) {
        WorkItem* next = fifo->next;
        fifo->queued.store(false, std::memory_order_seq_cst);  // re-queue allowed from now
        fifo->fn(fifo);
        fifo = next;
      }
    }
  }

  void pause() {
    paused_.store(1, std::memory_order_seq_cst);
    std::lock_guard<std::mutex> lock(run_mu_);  // wait out a running batch
  }

  void resume() {
    paused_.store(0, std::memory_order_seq_cst);
    ringb::detail::futex_wake(paused_, 1);
  }

 private:
  // While work keeps coming (a churn trimming caches every few microseconds)
  // the worker polls every millisecond instead of sleeping, so queue_work
  // costs no wake-up system call; after kPollRounds idle polls it sleeps
  // until woken. Trimmed objects wait for grace periods anyway (milliseconds),
  // and refills may reuse them meanwhile.
  static constexpr int kPollRounds = 64;
  static constexpr long kPollNs = 1000000;

  void loop() {
    int idle = kPollRounds;
    for (;;) {
      if (paused_.load(std::memory_order_seq_cst)) {
        ringb::detail::futex_wait(paused_, 1);
        continue;
      }
      if (pending_.load(std::memory_order_seq_cst)) {
        run_pending();
        idle = 0;
        continue;
      }
      if (idle < kPollRounds) {
        ++idle;
        ringb::detail::futex_wait_for(wake_, wake_.load(std::memory_order_relaxed), kPollNs);
        continue;
      }
      uint32_t seq = wake_.load(std::memory_order_seq_cst);
      sleeping_.store(true, std::memory_order_seq_cst);
      if (!pending_.load(std::memory_order_seq_cst) && !paused_.load(std::memory_order_seq_cst))
        ringb::detail::futex_wait(wake_, seq);
      sleeping_.store(false, std::memory_order_seq_cst);
    }
  }

  std::atomic<WorkItem*> pending_{nullptr};
  std::atomic<bool> sleeping_{false};
  std::atomic<uint32_t> wake_{0};    // futex word: bumped to wake the worker
  std::atomic<uint32_t> paused_{0};  // futex word: 1 while paused
  std::mutex run_mu_;                // held while a batch of items runs
  std::thread thread_;
};

// Created on first use, never destroyed: allocators may outlive static
// destructors, and the detached thread must always find it.
Worker& worker() {
  static Worker* w = new Worker();
  return *w;
}

}  // namespace

void start_worker() { worker(); }
void queue_work(WorkItem* w) { worker().queue(w); }
void flush_work() { worker().run_pending(); }
void pause_worker() { worker().pause(); }
void resume_worker() { worker().resume(); }

}  // namespace ringb::mem::detail
