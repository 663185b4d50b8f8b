// Program types and their contexts through the API: loads refused for a
// section ringb does not know and for a helper the type may not call (the
// kernel's get_func_proto), tracing contexts from ctx_in with the sizes the
// kernel's structs have, and the flow dissector's ctx_in rules.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <linux/bpf.h>

#include <cstring>
#include <string>

#include "ringb/runtime.h"

namespace ringb {
namespace {

std::string obj(const char* name) { return std::string(RINGB_API_BPF_DIR) + "/" + name + ".bpf.o"; }

TEST(ProgTypes, UnknownSectionFailsTheLoadNamingIt) {
  Runtime rt;
  auto lo = rt.load(obj("prog_type_unknown"));
  ASSERT_FALSE(lo.ok());
  EXPECT_NE(lo.error().message.find("section 'no_such_type/x'"), std::string::npos) << lo.error().message;
  EXPECT_NE(lo.error().message.find("names no program type"), std::string::npos) << lo.error().message;
}

TEST(ProgTypes, HelperUnavailableToTheTypeFailsTheLoad) {
  Runtime rt;
  auto lo = rt.load(obj("prog_type_xdp_skb_helper"));
  ASSERT_FALSE(lo.ok());
  EXPECT_NE(lo.error().message.find("program of this type cannot use helper bpf_skb_load_bytes#26 (program type xdp)"),
            std::string::npos)
      << lo.error().message;
  auto tc = rt.load(obj("prog_type_tc_probe_read"));
  ASSERT_FALSE(tc.ok());
  EXPECT_NE(tc.error().message.find("cannot use helper bpf_probe_read#4 (program type sched_cls)"), std::string::npos)
      << tc.error().message;
}

TEST(ProgTypes, TracingContextsComeFromCtxIn) {
  Runtime rt;
  auto lo = rt.load(obj("prog_type_ctx"));
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  TestRunOptions o;
  o.ctx_in.assign(184, 0);
  o.ctx_in[112] = 42;  // pt_regs.rdi
  o.ctx_in[168] = 9;   // bpf_perf_event_data.sample_period
  auto k = (*lo)->test_run("kprobe_rdi", TestRunOptions{{}, std::vector<uint8_t>(o.ctx_in.begin(), o.ctx_in.begin() + 168)});
  ASSERT_TRUE(k.ok()) << k.error().message;
  EXPECT_EQ(k->retval, 42u);
  auto p = (*lo)->test_run("perf_period", o);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->retval, 9u);
  // A context larger than the type's struct is refused, as the kernel would.
  o.ctx_in.assign(169, 0);
  auto big = (*lo)->test_run("kprobe_rdi", o);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("struct pt_regs"), std::string::npos) << big.error().message;
  // raw_tp: at most 12 arguments; a short ctx_in is zero-filled.
  TestRunOptions r;
  r.ctx_in = {1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
  auto raw = (*lo)->test_run("raw_tp_arg2", r);
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  EXPECT_EQ(raw->retval, 0u);
  r.ctx_in.assign(97, 0);
  EXPECT_FALSE((*lo)->test_run("raw_tp_arg2", r).ok());
  // tracepoint: the record as given; ctx_out hands it back.
  TestRunOptions t;
  t.ctx_in.assign(16, 0);
  t.ctx_in[8] = 0x30;
  auto tp = (*lo)->test_run("tp_read", t);
  ASSERT_TRUE(tp.ok()) << tp.error().message;
  EXPECT_EQ(tp->retval, 0x33u);
  EXPECT_EQ(tp->ctx_out, t.ctx_in);
}

TEST(ProgTypes, FlowDissectorKeysAndCtxIn) {
  Runtime rt;
  auto lo = rt.load(obj("prog_type_ctx"));
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  TestRunOptions o;
  o.data_in.assign(40, 0);
  o.data_in[12] = 0x86, o.data_in[13] = 0xdd;  // IPv6
  bpf_flow_keys in{};
  in.flags = BPF_FLOW_DISSECTOR_F_PARSE_1ST_FRAG;
  o.ctx_in.assign(reinterpret_cast<uint8_t*>(&in), reinterpret_cast<uint8_t*>(&in) + sizeof in);
  auto r = (*lo)->test_run("fd_offsets", o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->retval, BPF_FLOW_DISSECTOR_F_PARSE_1ST_FRAG);
  ASSERT_EQ(r->data_out.size(), sizeof(bpf_flow_keys));
  bpf_flow_keys out;
  std::memcpy(&out, r->data_out.data(), sizeof out);
  EXPECT_EQ(out.nhoff, 40);  // clamped to the packet's length
  EXPECT_EQ(out.thoff, 40);  // then to [nhoff, length]
  EXPECT_EQ(out.n_proto, htons(0x86dd));
  // ctx_in may set the flags only, and data_in needs an Ethernet header.
  in.nhoff = 3;
  o.ctx_in.assign(reinterpret_cast<uint8_t*>(&in), reinterpret_cast<uint8_t*>(&in) + sizeof in);
  EXPECT_FALSE((*lo)->test_run("fd_offsets", o).ok());
  o.ctx_in.clear();
  o.data_in.resize(13);
  EXPECT_FALSE((*lo)->test_run("fd_offsets", o).ok());
}

}  // namespace
}  // namespace ringb
