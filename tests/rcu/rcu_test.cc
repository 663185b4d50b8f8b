// The two RCU domains: callbacks wait for readers, chain, and barriers drain.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "rcu/reader.h"
#include "ringb/rcu.h"

namespace ringb::rcu {
namespace {

using namespace std::chrono_literals;

struct Flagged {
  Head head;
  std::atomic<int> runs{0};
};

void mark(Head* h) { reinterpret_cast<Flagged*>(h)->runs.fetch_add(1); }

using ringb::testing::Reader;

class RcuDomains : public ::testing::TestWithParam<Domain> {};

TEST_P(RcuDomains, CallbackWaitsForAReaderThatWasInside) {
  Reader reader(GetParam());
  Flagged f;
  call(GetParam(), &f.head, mark);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(f.runs.load(), 0) << "grace period ended under a reader";
  reader.leave();
  barrier(GetParam());
  EXPECT_EQ(f.runs.load(), 1);
}

TEST_P(RcuDomains, ReadOngoingReportsTheSection) {
  EXPECT_FALSE(read_ongoing(GetParam()));
  {
    ReadGuard g(GetParam());
    EXPECT_TRUE(read_ongoing(GetParam()));
  }
  EXPECT_FALSE(read_ongoing(GetParam()));
}

TEST_P(RcuDomains, SynchronizeReturnsOnceReadersLeave) {
  Reader reader(GetParam());
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    synchronize(GetParam());
    done.store(true);
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(done.load());
  reader.leave();
  waiter.join();
  EXPECT_TRUE(done.load());
}

INSTANTIATE_TEST_SUITE_P(Both, RcuDomains, ::testing::Values(Domain::Rcu, Domain::TasksTrace),
                         [](const auto& info) {
                           return info.param == Domain::Rcu ? "Rcu" : "TasksTrace";
                         });

Flagged g_chained;
void second_stage(Head* h) { mark(h); }
void first_stage(Head* h) { call(Domain::Rcu, h, second_stage); }

TEST(Rcu, TasksTraceCallbackChainsIntoAnRcuCallback) {
  // The allocator's path back to malloc: tasks-trace GP, then RCU GP.
  Reader rcu_reader(Domain::Rcu);
  call(Domain::TasksTrace, &g_chained.head, first_stage);
  barrier(Domain::TasksTrace);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(g_chained.runs.load(), 0) << "the RCU stage ignored the RCU reader";
  rcu_reader.leave();
  barrier(Domain::Rcu);
  EXPECT_EQ(g_chained.runs.load(), 1);
}

}  // namespace
}  // namespace ringb::rcu
