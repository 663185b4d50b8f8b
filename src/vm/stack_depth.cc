// stack_depth.cc — conservative per-function stack depths (see stack_depth.h).
#include "stack_depth.h"

#include <algorithm>

#include "ringb/vm.h"

namespace ringb::vm {
namespace {

using namespace isa;

constexpr uint32_t kFull = kStackSize;

// The depth instruction `in` needs, or kFull when r10 escapes through it.
uint32_t needs(const Insn& in) {
  const uint8_t c = cls(in.code);
  auto direct = [&](int size) -> uint32_t {  // an access at [r10 + off, r10 + off + size)
    if (in.off >= 0 || in.off + size > 0 || -in.off > static_cast<int>(kFull)) return kFull;
    return static_cast<uint32_t>(-in.off);
  };
  switch (c) {
    case kLdx:
      return in.src == 10 ? direct(size_bytes(in.code)) : 0;
    case kSt:
      return in.dst == 10 ? direct(size_bytes(in.code)) : 0;
    case kStx:
      if (in.src == 10) return kFull;  // the pointer itself is stored or used
      return in.dst == 10 ? direct(size_bytes(in.code)) : 0;
    case kLd:
      return !is_ld_imm64(in) && mode(in.code) == kInd && in.src == 10 ? kFull : 0;
    case kAlu:
    case kAlu64:
    case kJmp:
    case kJmp32: {
      const bool reg = src_bit(in.code) == kX;
      if (reg && in.src == 10) return kFull;
      // r10 as the destination of ALU is a trap (read-only); in a compare
      // it is read, harmlessly, but keep the rule simple.
      if (in.dst == 10 && (c == kJmp || c == kJmp32) && op(in.code) != kJa && op(in.code) != kCall &&
          op(in.code) != kExit)
        return kFull;
      return 0;
    }
    default:
      return 0;
  }
}

}  // namespace

std::vector<uint32_t> stack_depths(const std::vector<Insn>& insns, const std::vector<size_t>& starts,
                                   const std::vector<bool>& second_half) {
  std::vector<uint32_t> depth(starts.size(), 0);
  for (size_t f = 0; f < starts.size(); ++f) {
    const size_t end = f + 1 < starts.size() ? starts[f + 1] : insns.size();
    uint32_t d = 0;
    for (size_t i = starts[f]; i < end && d < kFull; ++i)
      if (!second_half[i]) d = std::max(d, needs(insns[i]));
    depth[f] = std::min<uint32_t>((d + 15) & ~15u, kFull);
  }
  return depth;
}

}  // namespace ringb::vm
