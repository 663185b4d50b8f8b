// Runtime::LoadOptions::programs: a program loads with what it uses and
// nothing else, as libbpf's autoload and the kernel's test_loader; what the
// object's other programs lack (kfuncs, helpers, map types) is theirs. Every
// unknown call of a program is named, not only the first.
#include <gtest/gtest.h>

#include "ringb/runtime.h"
#include "ringb_bpf_corpus.h"

namespace ringb {
namespace {

const std::string kObject = std::string(RINGB_API_BPF_DIR) + "/per_program.bpf.o";

Expected<std::unique_ptr<LoadedObject>> load_only(const std::string& path, std::vector<std::string> progs) {
  Runtime::LoadOptions o;
  o.programs = std::move(progs);
  return Runtime().load(path, o);
}

uint32_t run(const LoadedObject& lo, const std::string& prog) {
  TestRunOptions o;
  o.data_in.assign(kTestDataLen, 0);
  auto r = lo.test_run(prog, o);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r->retval : 0xdeadbeef;
}

TEST(PerProgram, TheWholeObjectNamesEveryUnknownCallOfEveryProgram) {
  auto all = Runtime().load(kObject);
  ASSERT_FALSE(all.ok());
  const std::string& m = all.error().message;
  EXPECT_EQ(all.error().code, EINVAL);
  EXPECT_NE(m.find("program 'needs_kfuncs' calls 3 functions ringb lacks"), std::string::npos) << m;
  EXPECT_NE(m.find("kfunc 'ringb_no_such_kfunc' at instruction"), std::string::npos) << m;
  EXPECT_NE(m.find("kfunc 'ringb_nor_this_one' at instruction"), std::string::npos) << m;
  EXPECT_NE(m.find("helper 47 (bpf_get_socket_uid) at instruction"), std::string::npos) << m;
}

TEST(PerProgram, AProgramLoadsWithoutTheOthersNeeds) {
  auto lo = load_only(kObject, {"good"});
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  EXPECT_EQ(run(**lo, "good"), 5u);
  EXPECT_NE((*lo)->map("counts"), nullptr);
  EXPECT_EQ((*lo)->map("dev"), nullptr) << "no loaded program uses it: not created";
  EXPECT_EQ((*lo)->program("needs_kfuncs"), nullptr);
  EXPECT_EQ((*lo)->program_id("needs_kfuncs"), 0u);
  auto other = (*lo)->test_run("needs_kfuncs", {});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ENOENT);
  EXPECT_NE(other.error().message.find("program 'needs_kfuncs' is not loaded"), std::string::npos)
      << other.error().message;
}

TEST(PerProgram, AMapTheProgramUsesIsCreatedAndNamedByTypeWhenItCannotBe) {
  auto lo = load_only(kObject, {"uses_reuseport"});
  ASSERT_FALSE(lo.ok());
  EXPECT_NE(lo.error().message.find("map 'reuse': map type stack_trace is not supported yet"), std::string::npos)
      << lo.error().message;
}

TEST(PerProgram, AQuestionMarkProgramLoadsWhenNamed) {
  auto lo = load_only(kObject, {"optional"});
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  EXPECT_EQ(run(**lo, "optional"), 9u);
  EXPECT_EQ((*lo)->map("counts"), nullptr);
}

TEST(PerProgram, AnUnknownNameIsAnError) {
  auto lo = load_only(kObject, {"good", "no_such_program"});
  ASSERT_FALSE(lo.ok());
  EXPECT_EQ(lo.error().code, ENOENT);
  EXPECT_NE(lo.error().message.find("no program named 'no_such_program'"), std::string::npos);
}

// A tail call reaches the programs of the prog array's `.values`: they load
// with the caller (and their own maps with them); the other prog array and
// the maps nobody loaded uses stay out.
TEST(PerProgram, ValuesTargetsOfAUsedProgArrayLoadToo) {
  auto lo = load_only(std::string(RINGB_BPF_CORPUS_DIR) + "/maps_layout.bpf.o", {"layout_tail_slot1"});
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  EXPECT_EQ(run(**lo, "layout_tail_slot1"), 1001u);
  EXPECT_NE((*lo)->program("layout_target_a"), nullptr);
  EXPECT_NE((*lo)->program("layout_target_b"), nullptr) << "slot 3 of the same array";
  EXPECT_EQ((*lo)->program("layout_tail_slot3"), nullptr);
  EXPECT_EQ((*lo)->map("sixth_jmp"), nullptr);
  EXPECT_EQ((*lo)->map("first_hash"), nullptr);
}

TEST(MapTypes, PrintByName) {
  EXPECT_STREQ(map_type_name(static_cast<uint32_t>(MapType::RingBuf)), "ringbuf");
  EXPECT_STREQ(map_type_name(11), "lpm_trie");
  EXPECT_STREQ(map_type_name(33), "arena");
  EXPECT_EQ(map_type_string(21), "percpu_cgroup_storage");
  EXPECT_EQ(map_type_string(99), "unknown map type 99");
  EXPECT_EQ(map_type_string(0), "unknown map type 0");
}

}  // namespace
}  // namespace ringb
