// rcu_bp.cc — Domain::TasksTrace on liburcu's "bulletproof" flavour: no
// registration, dearer read-side sections; sleepable programs use it.
#include <urcu/urcu-bp.h>
#include <urcu/call-rcu.h>

#include "flavor.h"

namespace ringb::rcu::detail {
namespace {

void trampoline(rcu_head* head) { run_callback(head); }

}  // namespace

const FlavorOps kBpOps = {
    .read_lock = [] { urcu_bp_read_lock(); },
    .read_unlock = [] { urcu_bp_read_unlock(); },
    .read_ongoing = [] { return urcu_bp_read_ongoing() != 0; },
    .call = [](void* head) { urcu_bp_call_rcu(static_cast<rcu_head*>(head), trampoline); },
    .synchronize = [] { urcu_bp_synchronize_rcu(); },
    .barrier = [] { urcu_bp_barrier(); },
    .start_threads = [] { urcu_bp_get_default_call_rcu_data(); },
};

}  // namespace ringb::rcu::detail
