// kfunc_check.cc — a program's extern declaration of a kfunc against ringb's
// prototype, as libbpf and the kernel match an extern's FUNC_PROTO against
// the kernel's: same argument count, and each argument and the result of the
// same broad kind (integer, pointer, pointer to a function).
#include <bpf/btf.h>

#include "ringb/btf.h"
#include "ringb/kfuncs.h"

namespace ringb::kfuncs {

namespace {

enum class Shape { Void, Scalar, Pointer, FuncPointer, Other };

Shape shape_of(const Btf& btf, uint32_t id) {
  if (id == 0) return Shape::Void;
  const btf_type* t = btf.type(btf.skip_modifiers(id));
  if (!t) return Shape::Other;
  if (btf_is_int(t) || btf_is_any_enum(t)) return Shape::Scalar;
  if (!btf_is_ptr(t)) return Shape::Other;
  const btf_type* to = btf.type(btf.skip_modifiers(t->type));
  return to && btf_is_func_proto(to) ? Shape::FuncPointer : Shape::Pointer;
}

bool fits(Arg kind, Shape s) {
  switch (kind) {
    case Arg::Scalar:
    case Arg::TypeId:
    case Arg::NodeOffset: return s == Shape::Scalar;
    case Arg::Pointer:
    case Arg::Meta: return s == Shape::Pointer;
    case Arg::Callback: return s == Shape::FuncPointer;
    case Arg::Ignored: return true;
  }
  return false;
}

const char* kind_name(Arg kind) {
  switch (kind) {
    case Arg::Scalar:
    case Arg::TypeId:
    case Arg::NodeOffset: return "an integer";
    case Arg::Pointer:
    case Arg::Meta: return "a pointer";
    case Arg::Callback: return "a function pointer";
    case Arg::Ignored: return "anything";
  }
  return "?";
}

}  // namespace

Status check_declaration(const Btf& btf, uint32_t func_id, const Proto& proto, bool implicit_args) {
  const btf_type* f = btf.type(func_id);
  if (!f || !btf_is_func(f)) return {};  // no declaration to check (no BTF for it)
  const btf_type* fp = btf.type(f->type);
  if (!fp || !btf_is_func_proto(fp)) return Error{EINVAL, "kfunc '" + proto.name + "': its BTF is not a function"};
  const std::string who = "kfunc '" + btf.name(func_id) + "'";
  std::vector<const Proto::Param*> expected;
  for (const auto& a : proto.args)
    if (!(implicit_args && (a.kind == Arg::Meta || a.kind == Arg::NodeOffset))) expected.push_back(&a);
  const uint16_t n = btf_vlen(fp);
  if (n != expected.size())
    return Error{EINVAL, who + " is declared with " + std::to_string(n) + " arguments; it takes " +
                             std::to_string(expected.size())};
  const btf_param* params = btf_params(fp);
  for (uint16_t i = 0; i < n; ++i)
    if (!fits(expected[i]->kind, shape_of(btf, params[i].type)))
      return Error{EINVAL, who + ": argument " + std::to_string(i + 1) + " is declared as " +
                               btf.describe(params[i].type) + "; it must be " + kind_name(expected[i]->kind)};
  const Shape r = shape_of(btf, fp->type);
  const bool ret_ok = proto.ret == Ret::Void    ? r == Shape::Void
                      : proto.ret == Ret::Scalar ? r == Shape::Scalar
                                                 : r == Shape::Pointer;
  if (!ret_ok)
    return Error{EINVAL, who + " is declared to return " + (fp->type ? btf.describe(fp->type) : "void") +
                             "; it returns " +
                             (proto.ret == Ret::Void ? "nothing" : proto.ret == Ret::Scalar ? "an integer" : "a pointer")};
  return {};
}

}  // namespace ringb::kfuncs
