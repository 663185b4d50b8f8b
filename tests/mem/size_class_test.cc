// Size classes and watermarks: every size, and the kernel's numbers.
#include <gtest/gtest.h>

#include "ringb/mem.h"

namespace ringb::mem {
namespace {

TEST(SizeClass, EveryUnitSizeMapsToTheSmallestClassThatHoldsIt) {
  for (size_t size = 1; size <= kMaxUnitSize; ++size) {
    int idx = size_class_index(size);
    ASSERT_GE(idx, 0) << size;
    ASSERT_LT(idx, static_cast<int>(kNumClasses)) << size;
    EXPECT_GE(kClassSizes[idx], size) << size;
    if (idx > 0) {
      EXPECT_LT(kClassSizes[idx - 1], size) << size;
    }
  }
}

TEST(SizeClass, OutOfRangeHasNoClass) {
  EXPECT_EQ(size_class_index(0), -1);
  EXPECT_EQ(size_class_index(kMaxUnitSize + 1), -1);
  EXPECT_EQ(size_class_index(SIZE_MAX), -1);
}

TEST(SizeClass, BoundariesOfTheLargeClasses) {
  // The seed's fls(size - 1) - 1 put 4096 one class too high (out of range).
  EXPECT_EQ(kClassSizes[size_class_index(256)], 256u);
  EXPECT_EQ(kClassSizes[size_class_index(257)], 512u);
  EXPECT_EQ(kClassSizes[size_class_index(2048)], 2048u);
  EXPECT_EQ(kClassSizes[size_class_index(2049)], 4096u);
  EXPECT_EQ(kClassSizes[size_class_index(4096)], 4096u);
  EXPECT_EQ(kClassSizes[size_class_index(96)], 96u);
  EXPECT_EQ(kClassSizes[size_class_index(97)], 128u);
  EXPECT_EQ(kClassSizes[size_class_index(192)], 192u);
  EXPECT_EQ(kClassSizes[size_class_index(193)], 256u);
}

TEST(Watermarks, MatchTheKernel) {
  struct Row {
    size_t unit;
    int low, high, batch, prefill;
  };
  const Row rows[] = {
      {16, 32, 96, 48, 4},  {192, 32, 96, 48, 4}, {256, 32, 96, 48, 4},
      {512, 16, 48, 24, 1}, {1024, 8, 24, 12, 1}, {2048, 4, 12, 6, 1},
      {4096, 2, 6, 3, 1},   {65536, 1, 3, 1, 1},
  };
  for (const Row& r : rows) {
    Watermarks wm = watermarks_for(r.unit);
    EXPECT_EQ(wm.low, r.low) << r.unit;
    EXPECT_EQ(wm.high, r.high) << r.unit;
    EXPECT_EQ(wm.batch, r.batch) << r.unit;
    EXPECT_EQ(wm.prefill, r.prefill) << r.unit;
  }
}

}  // namespace
}  // namespace ringb::mem
