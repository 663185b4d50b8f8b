// rcu_memb.cc — Domain::Rcu on liburcu's membarrier flavour: read-side
// sections cost two thread-local increments; threads must be registered,
// which happens on first use and is undone when the thread exits.
//
// The first read lock of a thread may come from a signal handler, so
// registration is async-signal-safe:
//   - the state is a constinit thread_local flag (no lazy construction, no
//     destructor registered through __cxa_thread_atexit, which mallocs);
//   - unregistration at thread exit is a pthread key's destructor; the key is
//     created before main, and setting it only writes the thread's key slot;
//   - liburcu's registry mutex is taken with every signal blocked, by
//     registration and by every ringb call that takes it (synchronize), so no
//     handler can interrupt its own thread while that thread holds it.
#include <pthread.h>
#include <signal.h>
#include <urcu/urcu-memb.h>

#include "flavor.h"
#include "signals.h"

namespace ringb::rcu::detail {
namespace {

using ringb::detail::SignalsBlocked;

constinit thread_local bool tl_registered = false;

pthread_key_t make_exit_key() {
  pthread_key_t key;
  pthread_key_create(&key, [](void*) {
    SignalsBlocked blocked;
    if (tl_registered) urcu_memb_unregister_thread();
    tl_registered = false;
  });
  return key;
}
const pthread_key_t g_exit_key = make_exit_key();

void ensure_registered() {
  if (tl_registered) return;
  SignalsBlocked blocked;
  if (!tl_registered) {
    urcu_memb_register_thread();
    pthread_setspecific(g_exit_key, &tl_registered);  // any non-null value
    tl_registered = true;
  }
}

void trampoline(rcu_head* head) { run_callback(head); }

}  // namespace

const FlavorOps kMembOps = {
    .read_lock = [] { ensure_registered(); urcu_memb_read_lock(); },
    .read_unlock = [] { urcu_memb_read_unlock(); },
    .read_ongoing = [] { return tl_registered && urcu_memb_read_ongoing() != 0; },
    .call =
        [](void* head) {
          // call_rcu takes a read-side lock internally: the caller (a liburcu
          // thread of the other flavour, say) must be registered.
          ensure_registered();
          urcu_memb_call_rcu(static_cast<rcu_head*>(head), trampoline);
        },
    .synchronize =
        [] {
          SignalsBlocked blocked;  // it holds the registry mutex (see above)
          urcu_memb_synchronize_rcu();
        },
    .barrier = [] { urcu_memb_barrier(); },
    .start_threads = [] { urcu_memb_get_default_call_rcu_data(); },
};

}  // namespace ringb::rcu::detail
