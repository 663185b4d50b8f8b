// gp_reclaim.h — grace periods for map elements waiting to be reused.
//
// A preallocated hash map never frees its elements, but it must not hand a
// deleted element to a new key while a program that found it may still read
// it. Its free list therefore holds deleted elements back until an RCU grace
// period has passed (prealloc_freelist.h). Waiting for that with rcu::call()
// would cost liburcu's callback latency (about 10 ms) per batch; instead one
// process-wide thread, the analogue of the kernel's RCU kthreads for these
// lists, serves every map that asks:
//
//   program / host threads              gp thread
//   ──────────────────────              ─────────
//   delete: element → pending
//   gp_request(list) ─── queue ───────▶ take every queued list
//                                       gp_collect(): pending → waiting
//                                       rcu::synchronize()   (µs without readers)
//                                       gp_release(): waiting → ready
//
// Rounds are at least kMinRoundInterval apart, so a churning map costs a
// bounded number of grace periods (each one a membarrier) per second.
//
// Who calls what: gp_request() from any thread, signal handlers included
// (one CAS and maybe a futex wake). gp_forget() and gp_flush() from threads
// outside RCU read-side sections; gp_forget() before a client is destroyed.
// The client callbacks run on the gp thread (or in gp_flush()), never two at
// once.
#pragma once

#include <atomic>

namespace ringb::maps::detail {

class GpClient {
 public:
  virtual ~GpClient() = default;
  // Moves what is pending into the batch for this grace period; true if the
  // batch is not empty.
  virtual bool gp_collect() = 0;
  // The grace period is over: the batch may be reused.
  virtual void gp_release() = 0;

 private:
  friend class GpThread;
  std::atomic<bool> queued_{false};  // on the request stack (or being served)
  GpClient* next_ = nullptr;         // link on the request stack
};

// Starts the gp thread (map creation does, so requests never have to).
void gp_start();
// Asks for a grace period for c's pending elements.
void gp_request(GpClient* c);
// c will be destroyed: waits for a round that serves it, drops its request.
void gp_forget(GpClient* c);
// Serves every request made so far, on the calling thread (tests, and hosts
// that want deleted elements reusable now).
void gp_flush();

}  // namespace ringb::maps::detail
