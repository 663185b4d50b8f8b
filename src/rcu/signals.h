// signals.h — blocking every signal for a scope (pthread_sigmask is
// async-signal-safe), around code that takes a lock a handler on the same
// thread could want, and around the creation of ringb's own threads, which
// inherit the mask and so never run a host's signal handler.
#pragma once

#include <signal.h>

namespace ringb::detail {

class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old_);
  }
  ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  sigset_t old_;
};

}  // namespace ringb::detail
