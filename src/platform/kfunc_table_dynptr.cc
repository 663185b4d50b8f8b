// kfunc_table_dynptr.cc — the dynptr kfuncs' prototypes (Linux 6.18's BTF;
// kernel/bpf/helpers.c common set, net/core/filter.c for skb and xdp).
#include "ringb/kfuncs.h"

namespace ringb::kfuncs {

std::vector<Proto> dynptr_protos() {
  using P = Proto::Param;
  const P s{Arg::Scalar, ""}, dyn{Arg::Pointer, "bpf_dynptr"}, any{Arg::Pointer, ""};
  return {
      {"bpf_dynptr_slice", kRetNull, Ret::Pointer, "", {dyn, s, any, s}, kAnyProg, ""},
      {"bpf_dynptr_slice_rdwr", kRetNull, Ret::Pointer, "", {dyn, s, any, s}, kAnyProg, ""},
      {"bpf_dynptr_adjust", 0, Ret::Scalar, "", {dyn, s, s}, kAnyProg, ""},
      {"bpf_dynptr_is_null", 0, Ret::Scalar, "", {dyn}, kAnyProg, ""},
      {"bpf_dynptr_is_rdonly", 0, Ret::Scalar, "", {dyn}, kAnyProg, ""},
      {"bpf_dynptr_size", 0, Ret::Scalar, "", {dyn}, kAnyProg, ""},
      {"bpf_dynptr_clone", 0, Ret::Scalar, "", {dyn, dyn}, kAnyProg, ""},
      {"bpf_dynptr_copy", 0, Ret::Scalar, "", {dyn, s, dyn, s, s}, kAnyProg, ""},
      {"bpf_dynptr_memset", 0, Ret::Scalar, "", {dyn, s, s, s}, kAnyProg, ""},
      {"bpf_dynptr_from_skb", 0, Ret::Scalar, "", {any, s, dyn}, kTc | kSocketFilter, ""},
      {"bpf_dynptr_from_xdp", 0, Ret::Scalar, "", {any, s, dyn}, kXdp, ""},
  };
}

}  // namespace ringb::kfuncs
