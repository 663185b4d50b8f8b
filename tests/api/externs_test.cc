// Extern variables the host gives values: __kconfig options through
// Runtime::Options::kconfig (libbpf's "CONFIG_X=value" text) and __ksym
// addresses through Functions::add_ksym. Bad or missing values fail the load
// with the extern's name. (tests/bpf/progs/externs.bpf.c covers what the
// kernel itself provides, compared with the kernel.)
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <string>

#include "ringb/runtime.h"

namespace ringb {
namespace {

const std::string kObject = std::string(RINGB_API_BPF_DIR) + "/externs_host.bpf.o";
const std::string kAllSet =
    "# a comment\n"
    "CONFIG_RINGB_FEATURE=y\n"
    "CONFIG_RINGB_TRI=m\n"
    "\n"
    "CONFIG_RINGB_NUM=-42\n"
    "CONFIG_RINGB_NAME=\"abcdefgh\"\n";

uint64_t g_counter = 77;

Expected<std::unique_ptr<LoadedObject>> load(const std::string& kconfig, bool with_ksym = true) {
  Runtime::Options o;
  o.kconfig = kconfig;
  Runtime rt(o);
  if (with_ksym) rt.functions().add_ksym("ringb_host_counter", &g_counter);
  return rt.load(kObject);
}

int32_t run(const LoadedObject& lo, const char* prog) {
  auto r = lo.test_run(prog, {});
  EXPECT_TRUE(r.ok()) << prog << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? static_cast<int32_t>(r->retval) : INT32_MIN;
}

TEST(Externs, TheHostsValuesReachThePrograms) {
  auto lo = load(kAllSet);
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  EXPECT_EQ(run(**lo, "feature"), 1);
  EXPECT_EQ(run(**lo, "tristate"), 2) << "m is 2 (TRI_MODULE)";
  EXPECT_EQ(run(**lo, "number"), -42);
  EXPECT_EQ(run(**lo, "small"), 0) << "a weak option nobody sets reads as 0";
  EXPECT_EQ(run(**lo, "name_sum"), 'a' + 'b' + 'c' + 'd' + 'e') << "cut to 5 bytes and a NUL";
  EXPECT_EQ(run(**lo, "host_counter"), 77);
  g_counter = 78;
  EXPECT_EQ(run(**lo, "host_counter"), 78) << "the program reads the host's variable itself";
}

TEST(Externs, JiffiesTickAtTheConfiguredHz) {
  for (int hz : {100, 1000}) {
    auto lo = load(std::string(kAllSet) + "CONFIG_HZ=" + std::to_string(hz) + "\n");
    ASSERT_TRUE(lo.ok()) << lo.error().message;
    const auto t0 = std::chrono::steady_clock::now();
    const uint32_t j0 = static_cast<uint32_t>(run(**lo, "jiffies"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const uint32_t j1 = static_cast<uint32_t>(run(**lo, "jiffies"));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_GE(j1 - j0, static_cast<uint32_t>(0.2 * hz) - 1) << "HZ " << hz;
    EXPECT_LE(j1 - j0, static_cast<uint32_t>(secs * hz) + 1) << "HZ " << hz;
  }
}

TEST(Externs, TheKconfigMapIsReadOnlyGlobalData) {
  auto lo = load(kAllSet + "CONFIG_RINGB_SMALL=0x7f\n");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  EXPECT_EQ(run(**lo, "small"), 0x7f);
  const MapDef& def = (*lo)->map(".kconfig")->def();
  EXPECT_TRUE(def.read_only);
  EXPECT_EQ(def.max_entries, 1u);
}

TEST(Externs, AStrongOptionWithoutAValueFailsTheLoadByName) {
  auto lo = load("CONFIG_RINGB_FEATURE=y\nCONFIG_RINGB_TRI=n\nCONFIG_RINGB_NAME=\"x\"\n");
  ASSERT_FALSE(lo.ok());
  EXPECT_EQ(lo.error().code, ENOENT);
  EXPECT_NE(lo.error().message.find("CONFIG_RINGB_NUM"), std::string::npos) << lo.error().message;
}

TEST(Externs, ValuesOfTheWrongShapeAreRefused) {
  const struct {
    const char* line;
    const char* says;
  } cases[] = {
      {"CONFIG_RINGB_FEATURE=m", "is not y or n"},
      {"CONFIG_RINGB_TRI=3", "is not y, n or m"},
      {"CONFIG_RINGB_NUM=twelve", "is not a number"},
      {"CONFIG_RINGB_NUM=4294967296", "does not fit"},
      {"CONFIG_RINGB_SMALL=256", "does not fit"},
      {"CONFIG_RINGB_SMALL=-1", "does not fit"},
      {"CONFIG_RINGB_NAME=abc", "is not a quoted string"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    auto lo = load(std::string(c.line) + "\n" + kAllSet);  // the first value given wins
    ASSERT_FALSE(lo.ok());
    EXPECT_EQ(lo.error().code, EINVAL);
    EXPECT_NE(lo.error().message.find(c.says), std::string::npos) << lo.error().message;
  }
}

TEST(Externs, AnUnknownStrongKsymFailsTheLoadByName) {
  auto lo = load(kAllSet, /*with_ksym=*/false);
  ASSERT_FALSE(lo.ok());
  EXPECT_EQ(lo.error().code, ENOENT);
  EXPECT_NE(lo.error().message.find("ringb_host_counter"), std::string::npos) << lo.error().message;
}

TEST(Externs, TheLoaderListsThemWithTheirLayout) {
  auto obj = Object::open_file(kObject);
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  ASSERT_EQ(obj->kconfig.size(), 5u);
  ASSERT_EQ(obj->ksyms.size(), 1u);
  EXPECT_EQ(obj->ksyms[0].name, "ringb_host_counter");
  EXPECT_FALSE(obj->ksyms[0].weak);
  for (const ExternVar& v : obj->kconfig) {
    SCOPED_TRACE(v.name);
    if (v.kind != ExternVar::Kind::Chars) {
      EXPECT_EQ(v.offset % v.size, 0u) << "aligned";
    }
    EXPECT_EQ(v.weak, v.name == "CONFIG_RINGB_SMALL");
  }
}

}  // namespace
}  // namespace ringb
