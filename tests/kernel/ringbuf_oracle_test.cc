// The ring's bytes against the kernel's: the same corpus programs
// (ringbuf.bpf.o) run once in Linux and once in ringb, then the kernel's ring
// is mmap'd as libbpf maps it and compared with ringb's data area byte for
// byte over [0, producer_pos) — record headers (length, busy/discard bits,
// page offset), samples, padding — and the positions; and what a libbpf
// consumer (ring_buffer__consume) delivers is what ringb's consumer delivers.
// Skips where bpf() is not permitted.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "ringb/runtime.h"
#include "annotations.h"
#include "ringb_bpf_corpus.h"
#include "ringb_test_packet.h"

namespace {

constexpr unsigned char kPacket[] = {RINGB_TEST_PACKET_BYTES};
constexpr size_t kPage = 4096;

using Records = std::vector<std::vector<uint8_t>>;
int collect(void* ctx, void* data, size_t size) {
  auto* r = static_cast<Records*>(ctx);
  const auto* b = static_cast<uint8_t*>(data);
  r->emplace_back(b, b + size);
  return 0;
}

struct Ring {
  std::vector<uint8_t> bytes;  // data[0, producer_pos)
  uint64_t consumer = 0, producer = 0;
  Records records;
  bool ok = false;
  std::string why;
};

Ring kernel_ring(const std::string& path, const char* prog_name) {
  Ring out;
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj) return out.why = "open failed", out;
  bpf_program* p;
  bpf_object__for_each_program(p, obj) bpf_program__set_autoload(p, std::strcmp(bpf_program__name(p), prog_name) == 0);
  if (bpf_object__load(obj) != 0) {
    out.why = "load refused";
    bpf_object__close(obj);
    return out;
  }
  bpf_program* prog = bpf_object__find_program_by_name(obj, prog_name);
  const int map_fd = bpf_object__find_map_fd_by_name(obj, "rb");
  unsigned char packet[sizeof kPacket];
  std::memcpy(packet, kPacket, sizeof packet);
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = sizeof packet, .repeat = 1);
  if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts) != 0) {
    out.why = "test run failed";
    bpf_object__close(obj);
    return out;
  }
  // libbpf's mapping: the consumer page read-write, then producer page and
  // the data twice read-only.
  void* cons = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
  void* prod = mmap(nullptr, kPage + 2 * 4096, PROT_READ, MAP_SHARED, map_fd, kPage);
  if (cons != MAP_FAILED && prod != MAP_FAILED) {
    out.consumer = *static_cast<volatile uint64_t*>(cons);
    out.producer = *static_cast<volatile uint64_t*>(prod);
    const auto* data = static_cast<const uint8_t*>(prod) + kPage;
    out.bytes.assign(data, data + out.producer);
    out.ok = true;
  }
  if (cons != MAP_FAILED) munmap(cons, kPage);
  if (prod != MAP_FAILED) munmap(prod, kPage + 2 * 4096);
  ring_buffer* rb = ring_buffer__new(map_fd, collect, &out.records, nullptr);
  if (rb) {
    ring_buffer__consume(rb);
    ring_buffer__free(rb);
  }
  bpf_object__close(obj);
  return out;
}

Ring ringb_ring(const std::string& path, const char* prog_name) {
  Ring out;
  ringb::Runtime rt;
  ringb::Runtime::LoadOptions lo;
  lo.programs = {prog_name};
  auto obj = rt.load(path, lo);
  if (!obj) return out.why = obj.error().message, out;
  ringb::TestRunOptions o;
  o.data_in.assign(kPacket, kPacket + sizeof kPacket);
  if (!(*obj)->test_run(prog_name, o)) return out.why = "test run failed", out;
  ringb::maps::Map* m = (*obj)->map("rb");
  const auto pos = ringb::maps::ringbuf_positions(m);
  out.consumer = pos.consumer;
  out.producer = pos.producer;
  const uint8_t* data = ringb::maps::ringbuf_data(m);
  out.bytes.assign(data, data + pos.producer);
  auto c = (*obj)->ring_buffer("rb", collect, &out.records);
  if (c) (*c)->consume();
  out.ok = true;
  return out;
}

class RingBufOracle : public testing::TestWithParam<const char*> {};

TEST_P(RingBufOracle, SameBytesAsTheKernel) {
  const std::string path = ringb::bpf_corpus::object_path("ringbuf");
  const Ring k = kernel_ring(path, GetParam());
  if (!k.ok) GTEST_SKIP() << "the kernel: " << k.why;
  const Ring r = ringb_ring(path, GetParam());
  ASSERT_TRUE(r.ok) << r.why;
  EXPECT_EQ(r.consumer, k.consumer);
  EXPECT_EQ(r.producer, k.producer);
  EXPECT_EQ(r.bytes, k.bytes) << "the ring's data differs";
  EXPECT_EQ(r.records, k.records) << "a libbpf consumer and ringb's see different records";
  EXPECT_GT(k.producer, 0u);
}

// Programs that leave records (submitted, discarded, reserved and busy).
INSTANTIATE_TEST_SUITE_P(Corpus, RingBufOracle,
                         testing::Values("rb_output_query", "rb_output_flags", "rb_reserve_submit_discard",
                                         "rb_query_pending", "rb_reserve_dynptr", "rb_discard_dynptr",
                                         "rb_output_full"));

}  // namespace
