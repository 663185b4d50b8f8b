// __retval as the kernel's test_loader reads it (parse_retval / parse_int),
// and annotations_of() on the corpus object that spells it every way.
#include <gtest/gtest.h>

#include "ringb/runtime.h"
#include "ringb_bpf_corpus.h"

namespace ringb {
namespace {

TEST(Retval, NumbersAndNamesTheKernelAccepts) {
  struct Case {
    const char* text;
    uint32_t value;
    bool any;
  };
  for (const Case& c : {Case{"0", 0, false}, Case{"42", 42, false}, Case{"-1", 0xffffffff, false},
                        Case{"0x10", 16, false}, Case{"0XfF", 255, false}, Case{"-0x10", 0xfffffff0, false},
                        Case{"010", 10, false},  // test_loader: decimal, not octal
                        Case{"-2147483648", 0x80000000, false}, Case{"4294967295", 0xffffffff, false},
                        Case{"INT_MIN", 0x80000000, false}, Case{"_INT_MIN", 0x80000000, false},
                        Case{"INT_MAX", 0x7fffffff, false}, Case{"TEST_DATA_LEN", 64, false},
                        Case{"POINTER_VALUE", kPointerValue, true},
                        Case{"0xbadcafe", kPointerValueNew, true},  // newer headers expand the name
                        Case{"0xcafe4a11", kPointerValue, true}}) {
    const auto r = parse_test_retval(c.text);
    ASSERT_TRUE(r.has_value()) << c.text;
    EXPECT_EQ(r->value, c.value) << c.text;
    EXPECT_EQ(r->any, c.any) << c.text;
  }
}

TEST(Retval, WhatIsNotANumberIsRefused) {
  for (const char* bad : {"", "x", "0x", "1 ", " 1", "--1", "+-1", "12abc", "0x1g", "4294967296",
                          "-2147483649", "INT_MINX", "(-2147483647 - 1)", "1e3"})
    EXPECT_FALSE(parse_test_retval(bad).has_value()) << "'" << bad << "'";
}

TEST(Retval, PointerValueMatchesAnything) {
  const ExpectedRetval any = *parse_test_retval("POINTER_VALUE");
  EXPECT_TRUE(any.matches(0));
  EXPECT_TRUE(any.matches(0xdeadbeef));
  const ExpectedRetval min = *parse_test_retval("INT_MIN");
  EXPECT_TRUE(min.matches(0x80000000));
  EXPECT_FALSE(min.matches(0));
}

TEST(Retval, TagsWithAndWithoutTheCounterOfNewerHeaders) {
  EXPECT_EQ(test_tag("comment:test_retval=5"), "test_retval=5");
  EXPECT_EQ(test_tag("comment:12:test_retval=5"), "test_retval=5");
  EXPECT_EQ(test_tag("comment:test_expect_msg=12:x"), "test_expect_msg=12:x");
  EXPECT_FALSE(test_tag("other:test_retval=5").has_value());
}

TEST(Retval, AnnotationsOfTheCorpusObject) {
  auto obj = Object::open_file(std::string(RINGB_BPF_CORPUS_DIR) + "/retvals.bpf.o");
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  auto of = [&](const char* name) { return annotations_of(*obj, *obj->find_program(name)); };
  EXPECT_EQ(of("retval_int_min").retval.value, 0x80000000u);
  EXPECT_EQ(of("retval_test_data_len").retval.value, 64u);
  EXPECT_TRUE(of("retval_pointer_value").retval.any);
  EXPECT_EQ(of("retval_leading_zero_is_decimal").retval.value, 10u);
  const TestAnnotations both = of("retval_and_unpriv");
  EXPECT_TRUE(both.has_retval && both.has_retval_unpriv);
  EXPECT_EQ(both.retval_unpriv.value, 42u);
  for (const Program& p : obj->programs) {
    EXPECT_TRUE(of(p.name.c_str()).has_retval) << p.name;
    EXPECT_TRUE(of(p.name.c_str()).malformed.empty()) << p.name;
  }
}

}  // namespace
}  // namespace ringb
