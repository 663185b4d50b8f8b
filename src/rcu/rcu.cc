// rcu.cc — ringb::rcu on liburcu (see include/ringb/rcu.h).
//
// ThreadSanitizer cannot see the ordering a grace period provides (liburcu is
// not instrumented and relies on membarrier), so TSan builds annotate it:
// every read_unlock() and call() "releases" a token that every callback and
// synchronize() "acquires" (what a grace period guarantees), and every
// finished callback releases a second token that barrier() acquires.
#include "ringb/rcu.h"

#include <urcu/call-rcu.h>

#include <cstddef>
#include <mutex>

#include "flavor.h"
#include "signals.h"

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#define RINGB_TSAN 1
#endif

namespace ringb::rcu {
namespace {

static_assert(sizeof(rcu_head) <= sizeof(Head::urcu), "liburcu's rcu_head must fit in Head");
static_assert(offsetof(Head, urcu) == 0, "Head must start with the liburcu storage");

[[maybe_unused]] char g_grace_period_token;
[[maybe_unused]] char g_callbacks_done_token;

void tsan_release([[maybe_unused]] char* token) {
#ifdef RINGB_TSAN
  __tsan_release(token);
#endif
}
void tsan_acquire([[maybe_unused]] char* token) {
#ifdef RINGB_TSAN
  __tsan_acquire(token);
#endif
}
void gp_release() { tsan_release(&g_grace_period_token); }
void gp_acquire() { tsan_acquire(&g_grace_period_token); }

const detail::FlavorOps& ops(Domain d) {
  return d == Domain::Rcu ? detail::kMembOps : detail::kBpOps;
}

// liburcu's call_rcu threads are ringb's own: created once, with every signal
// blocked, so that a host's handlers never run on them.
void start_threads() {
  static std::once_flag once;
  std::call_once(once, [] {
    ringb::detail::SignalsBlocked blocked;
    detail::kMembOps.start_threads();
    detail::kBpOps.start_threads();
  });
}

}  // namespace

void detail::run_callback(void* urcu_head) {
  Head* head = static_cast<Head*>(urcu_head);
  gp_acquire();
  head->func(head);
  tsan_release(&g_callbacks_done_token);
}

void read_lock(Domain d) { ops(d).read_lock(); }

void read_unlock(Domain d) {
  gp_release();
  ops(d).read_unlock();
}

bool read_ongoing(Domain d) { return ops(d).read_ongoing(); }

void call(Domain d, Head* head, void (*func)(Head*)) {
  start_threads();
  head->func = func;
  gp_release();  // what the caller did before call() happens before func
  ops(d).call(head->urcu);
}

void synchronize(Domain d) {
  ops(d).synchronize();
  gp_acquire();
}

void barrier(Domain d) {
  ops(d).barrier();
  gp_acquire();
  tsan_acquire(&g_callbacks_done_token);
}

}  // namespace ringb::rcu
