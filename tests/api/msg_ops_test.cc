// The sk_msg data helpers against a model of the message as a byte string:
// random sequences of pull/push/pop (random data_in, starts, lengths, many
// out of range), each call's errno as the model predicts (net/core/filter.c's
// bounds), and the message's bytes afterwards — pulled into one run, the test
// run's data_out — exactly the model's (pushed bytes zero, popped bytes
// gone), through splits, joins and a full ring.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ringb/maps.h"
#include "ringb/runtime.h"

namespace ringb {
namespace {

constexpr int kOps = 16;

struct Op {
  uint32_t kind, a, b;
};
struct Script {
  Op ops[kOps];
  int64_t results[kOps];
  int64_t final;
};

// The message as the kernel's helpers define it, bytes only.
int64_t model(std::vector<uint8_t>& m, const Op& o) {
  const uint64_t size = m.size();
  switch (o.kind) {
    case 0:  // pull: the bytes stay
      if (o.b <= o.a || o.a >= size || o.b > size) return -EINVAL;
      return 0;
    case 1:  // push
      if (!o.b) return 0;
      if (o.a >= size) return -EINVAL;
      m.insert(m.begin() + o.a, o.b, 0);
      return 0;
    default:  // pop
      if (o.a >= size || uint64_t{o.a} + o.b > size) return -EINVAL;
      m.erase(m.begin() + o.a, m.begin() + o.a + o.b);
      return 0;
  }
}

TEST(MsgOps, RandomSequencesMatchTheByteModel) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/msg_ops.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  maps::Map* map = (*lo)->map("script");
  ASSERT_NE(map, nullptr);
  std::mt19937 rng(1234);
  int errors = 0, joins = 0;
  for (int run = 0; run < 2000; ++run) {
    std::vector<uint8_t> msg(1 + rng() % 200);
    for (auto& b : msg) b = static_cast<uint8_t>(1 + rng() % 255);  // never 0: pushed bytes are
    Script s{};
    for (auto& o : s.ops) {
      o.kind = rng() % 3;
      const uint32_t span = static_cast<uint32_t>(msg.size() + 40);
      o.a = rng() % span;
      o.b = o.kind == 0 ? o.a + rng() % span : rng() % (o.kind == 1 ? 24 : 40);
      // far out of range (not for push: 4 GiB of room is -ENOMEM, an allocation failure the model has not)
      if (rng() % 8 == 0 && o.kind != 1) o.b = o.kind == 0 ? 0 : 0xffffffffu;
    }
    const uint32_t key = 0;
    ASSERT_EQ(map->host_update(&key, sizeof key, &s, sizeof s, 0), 0);
    TestRunOptions t;
    t.data_in = msg;
    auto r = (*lo)->test_run("msg_ops", t);
    ASSERT_TRUE(r.ok()) << r.error().message;
    Script out{};
    ASSERT_EQ(map->host_lookup(&key, sizeof key, &out, sizeof out), 0);
    std::vector<uint8_t> want = msg;
    for (int i = 0; i < kOps; ++i) {
      const int64_t w = model(want, s.ops[i]);
      ASSERT_EQ(out.results[i], w) << "run " << run << " op " << i << " kind " << s.ops[i].kind << " a "
                                   << s.ops[i].a << " b " << s.ops[i].b;
      errors += w != 0;
    }
    ASSERT_EQ(r->retval, want.size()) << "run " << run;
    if (want.empty()) continue;
    ASSERT_EQ(out.final, 0) << "run " << run;
    ASSERT_EQ(r->data_out, want) << "run " << run;
    ++joins;
  }
  EXPECT_GT(errors, 1000);  // the bounds were exercised
  EXPECT_GT(joins, 1500);
}

}  // namespace
}  // namespace ringb
