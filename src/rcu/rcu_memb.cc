// rcu_memb.cc — Domain::Rcu on liburcu's membarrier flavour: read-side
// sections cost two thread-local increments; threads must be registered,
// which happens on first use and is undone when the thread exits.
//
// Registration takes liburcu's registry mutex, so signals stay blocked while
// it runs: a handler that interrupted it and read-locked itself would take
// the same mutex again on the same thread (seen as a deadlock under a signal
// storm).
#include <signal.h>
#include <urcu/urcu-memb.h>

#include "flavor.h"

namespace ringb::rcu::detail {
namespace {

// Blocks every signal for its scope.
class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old_);
  }
  ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

struct Registration {
  volatile bool registered = false;
  ~Registration() {
    SignalsBlocked blocked;
    if (registered) urcu_memb_unregister_thread();
    registered = false;
  }
};
thread_local Registration tl_registration;

void ensure_registered() {
  if (tl_registration.registered) return;
  SignalsBlocked blocked;
  if (!tl_registration.registered) {
    urcu_memb_register_thread();
    tl_registration.registered = true;
  }
}

void trampoline(rcu_head* head) { run_callback(head); }

}  // namespace

const FlavorOps kMembOps = {
    .read_lock = [] { ensure_registered(); urcu_memb_read_lock(); },
    .read_unlock = [] { urcu_memb_read_unlock(); },
    .read_ongoing = [] { return tl_registration.registered && urcu_memb_read_ongoing() != 0; },
    .call =
        [](void* head) {
          // call_rcu takes a read-side lock internally: the caller (a liburcu
          // thread of the other flavour, say) must be registered.
          ensure_registered();
          urcu_memb_call_rcu(static_cast<rcu_head*>(head), trampoline);
        },
    .synchronize = [] { urcu_memb_synchronize_rcu(); },
    .barrier = [] { urcu_memb_barrier(); },
};

}  // namespace ringb::rcu::detail
