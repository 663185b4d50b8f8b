// kfunc_table_iter.cc — the open-coded iterators' kfuncs as the kernel
// registers them (kernel/bpf/helpers.c's common set, every program type):
// bpf_for / bpf_repeat compile to bpf_iter_num_new/next/destroy, and
// bpf_for_each(bits, …) to bpf_iter_bits_*. An iterator lives on the
// program's stack (struct bpf_iter_num: 8 bytes; struct bpf_iter_bits: 16).
#include "kfunc_tables.h"

namespace ringb::kfuncs {

std::vector<Proto> iter_protos() {
  using P = Proto::Param;
  const P scalar{Arg::Scalar, ""};
  const P num{Arg::Pointer, "bpf_iter_num"}, bits{Arg::Pointer, "bpf_iter_bits"}, any{Arg::Pointer, ""};
  return {
      {"bpf_iter_num_new", kIterNew, Ret::Scalar, "", {num, scalar, scalar}, kAnyProg, ""},
      {"bpf_iter_num_next", kIterNext | kRetNull, Ret::Pointer, "", {num}, kAnyProg, ""},
      {"bpf_iter_num_destroy", kIterDestroy, Ret::Void, "", {num}, kAnyProg, ""},
      {"bpf_iter_bits_new", kIterNew, Ret::Scalar, "", {bits, any, scalar}, kAnyProg, ""},
      {"bpf_iter_bits_next", kIterNext | kRetNull, Ret::Pointer, "", {bits}, kAnyProg, ""},
      {"bpf_iter_bits_destroy", kIterDestroy, Ret::Void, "", {bits}, kAnyProg, ""},
  };
}

}  // namespace ringb::kfuncs
