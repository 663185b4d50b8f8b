// test_contexts.h — the context each program type's test run gets, after the
// kernel's BPF_PROG_TEST_RUN for that type (net/bpf/test_run.c), and what the
// run hands back (data_out, ctx_out, the flow dissector's clamping).
#pragma once

#include <cstdint>
#include <vector>

#include "low_memory.h"
#include "ringb/error.h"
#include "ringb/object.h"
#include "ringb/runtime.h"

namespace ringb::sockets {
struct Record;
}

namespace ringb::api {

class TestContext {
 public:
  // Builds the context of a `type` program from o.data_in / o.ctx_in, with
  // the kernel's errors for inputs its test run refuses (EINVAL).
  static Expected<std::unique_ptr<TestContext>> build(ProgType type, const TestRunOptions& o);
  ~TestContext();
  TestContext(const TestContext&) = delete;
  TestContext& operator=(const TestContext&) = delete;

  uint64_t ctx() const { return ctx_; }
  // The memory fault-tolerant loads may read without a probe.
  uint64_t lo() const { return ctx_; }
  uint64_t hi() const { return ctx_ + size_; }
  // After each run: what the kernel does to the result (flow dissector:
  // clamps nhoff/thoff).
  void after_run();
  // data_out and ctx_out as the kernel's test run reports them.
  void results(const TestRunOptions& o, TestRunResult& r) const;

 private:
  TestContext(ProgType type, size_t low_size) : type_(type), low_(low_size) {}
  Status build_skb(const TestRunOptions& o);
  Status build_xdp(const TestRunOptions& o);
  Status build_msg(const TestRunOptions& o);
  Status build_sock_ops(const TestRunOptions& o);
  Status build_sk_lookup(const TestRunOptions& o);
  Status build_plain(const TestRunOptions& o);

  ProgType type_;
  LowBuffer low_;
  std::vector<uint8_t> plain_;  // non-packet programs: their context
  uint64_t ctx_ = 0;
  size_t size_ = 0;
  uint32_t flow_hlen_ = 0;
  uint64_t selected_cookie_ = 0;  // sk_lookup: the last run's selection
  sockets::Record* held_ = nullptr;  // sock_ops: the host table's socket the context is, referenced  // flow dissector: the packet's length
};

}  // namespace ringb::api
