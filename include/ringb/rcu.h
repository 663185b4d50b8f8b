// ringb/rcu.h — the two RCU domains BPF relies on, built on liburcu.
//
//   domain        kernel                 liburcu flavour   readers
//   Rcu           RCU (rcu_read_lock)    urcu-memb         every program run
//   TasksTrace    RCU tasks trace        urcu-bp           sleepable programs
//
// A callback queued with call() runs on a liburcu call_rcu thread after every
// reader of that domain that was inside a read-side section when call() was
// made has left it. Callbacks may queue further callbacks (the allocator
// chains TasksTrace → Rcu). barrier() waits for every callback queued before it
// to have run; it must not be called from a read-side section or a callback.
//
// Threads are registered with liburcu on first use and unregistered when they
// exit; callers never have to.
#pragma once

#include <cstddef>

namespace ringb::rcu {

enum class Domain { Rcu, TasksTrace };

// Intrusive callback node, embedded in the object whose life it ends.
// `urcu` is room for liburcu's struct rcu_head (checked in rcu.cc).
struct Head {
  void* urcu[2] = {nullptr, nullptr};
  void (*func)(Head*) = nullptr;
};

void read_lock(Domain d = Domain::Rcu);
void read_unlock(Domain d = Domain::Rcu);
bool read_ongoing(Domain d = Domain::Rcu);

void call(Domain d, Head* head, void (*func)(Head*));
void synchronize(Domain d);
void barrier(Domain d);

// RAII read-side section.
class ReadGuard {
 public:
  explicit ReadGuard(Domain d = Domain::Rcu) : d_(d) { read_lock(d_); }
  ~ReadGuard() { read_unlock(d_); }
  ReadGuard(const ReadGuard&) = delete;
  ReadGuard& operator=(const ReadGuard&) = delete;

 private:
  Domain d_;
};

}  // namespace ringb::rcu
