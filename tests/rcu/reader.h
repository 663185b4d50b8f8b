// reader.h — a thread that sits in an RCU read-side section until told to
// leave: what holds a grace period open in tests.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

#include "ringb/rcu.h"

namespace ringb::testing {

class Reader {
 public:
  explicit Reader(rcu::Domain d) : thread_([this, d] {
      rcu::ReadGuard g(d);
      inside_.store(true);
      while (!leave_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }) {
    while (!inside_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void leave() {
    leave_.store(true);
    thread_.join();
  }

 private:
  std::atomic<bool> inside_{false}, leave_{false};
  std::thread thread_;
};

}  // namespace ringb::testing
