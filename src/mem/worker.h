// worker.h — the irq_work analogue: one background thread per process that
// runs work items queued from any context, a signal handler included.
//
// In the kernel a cache's refill runs in irq_work on the same cpu, so it is
// serialised with the program through the cpu's `active` counter. A user-space
// thread cannot interrupt the slot's owner, so the worker never touches an
// owner's free list: it hands batches over through lock-free lists that the
// owner splices in (see cache.h).
#pragma once

#include <atomic>

namespace ringb::mem::detail {

struct WorkItem {
  void (*fn)(WorkItem*) = nullptr;
  std::atomic<bool> queued{false};  // set by queue_work, cleared before fn runs
  WorkItem* next = nullptr;         // link on the pending list while queued
};

// Queues `w` unless it is queued already, and wakes the worker.
// Async-signal-safe: atomics and a futex wake only.
void queue_work(WorkItem* w);

// Runs every queued item on the calling thread, after waiting for items the
// worker is running; works while the worker is paused.
void flush_work();

// Starts the worker thread if it is not running (allocator creation does
// this, so that queue_work never has to, e.g. from a signal handler).
void start_worker();

void pause_worker();
void resume_worker();

}  // namespace ringb::mem::detail
