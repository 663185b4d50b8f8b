// flavor.h — one liburcu flavour behind a table of functions, so that the two
// flavours (whose headers cannot share a translation unit) plug into rcu.cc.
#pragma once

namespace ringb::rcu::detail {

struct FlavorOps {
  void (*read_lock)();
  void (*read_unlock)();
  bool (*read_ongoing)();
  // `urcu_head` is the storage of a ringb::rcu::Head; the flavour calls
  // run_callback(urcu_head) after a grace period.
  void (*call)(void* urcu_head);
  void (*synchronize)();
  void (*barrier)();
  // Creates the flavour's call_rcu thread now (it inherits the caller's
  // signal mask), instead of on the first call().
  void (*start_threads)();
};

extern const FlavorOps kMembOps;  // urcu-memb: Domain::Rcu
extern const FlavorOps kBpOps;    // urcu-bp: Domain::TasksTrace

void run_callback(void* urcu_head);

}  // namespace ringb::rcu::detail
