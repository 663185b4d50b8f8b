// kfunc_binding.cc — see kfunc_binding.h.
#include "kfunc_binding.h"

#include "ringb/encoding.h"
#include "ringb/btf.h"
#include "ringb/objects.h"

namespace ringb::vm {

using namespace isa;

std::vector<bool> find_jump_targets(const std::vector<Insn>& insns, const std::vector<bool>& second_half,
                                    const std::vector<size_t>& function_starts) {
  std::vector<bool> t(insns.size(), false);
  for (size_t s : function_starts)
    if (s < t.size()) t[s] = true;
  for (size_t i = 0; i < insns.size(); ++i) {
    if (second_half[i]) continue;
    const Insn& in = insns[i];
    const uint8_t c = cls(in.code);
    if ((c != kJmp && c != kJmp32) || is_call(in) || op(in.code) == kExit) continue;
    // JA of class JMP32 (gotol) jumps by imm; every other jump by off.
    const int64_t d = (c == kJmp32 && op(in.code) == kJa) ? in.imm : in.off;
    const int64_t to = static_cast<int64_t>(i) + 1 + d;
    if (to >= 0 && static_cast<size_t>(to) < t.size()) t[static_cast<size_t>(to)] = true;
  }
  return t;
}

namespace {

std::string node_list(const std::vector<Bindings::Node>& nodes) {
  std::string s;
  for (const auto& n : nodes) {
    if (!s.empty()) s += ", ";
    s += "struct " + (n.type ? n.type->name : std::string("?")) + " at " + std::to_string(n.offset);
  }
  return s;
}

}  // namespace

Expected<std::unique_ptr<BoundCall>> bind_kfunc_call(size_t insn, const CallSiteArgs* args, const std::string& name,
                                                     const Functions::Kfunc& k, const Bindings& b) {
  const kfuncs::Proto& p = *k.proto;
  if (b.btf)
    if (const uint32_t id = b.btf->find(name, 12 /* BTF_KIND_FUNC */))
      if (Status s = kfuncs::check_declaration(*b.btf, id, p, k.implicit_args); !s) return s.error();

  auto bound = std::make_unique<BoundCall>();
  bound->fn = k.fn;
  auto set = [&](int arg, uint64_t v) { bound->bind(arg, v); };
  bool any = false;
  const int meta = p.arg_index(kfuncs::Arg::Meta);
  const int type_id = p.arg_index(kfuncs::Arg::TypeId);
  const int off = p.arg_index(kfuncs::Arg::NodeOffset);
  if (type_id >= 0 && meta >= 0) {
    // bpf_obj_new_impl(type_id, meta): the type is bound here when the id is
    // a constant the pointer analysis saw (the type id is r1); otherwise the
    // kfunc finds it by id in the object's types at run time.
    const obj::Type* t = nullptr;
    if (b.types && args && args->r1.kind == AbstractValue::Kind::Const) {
      const uint64_t id = static_cast<uint64_t>(args->r1.value);
      t = b.types->type(static_cast<uint32_t>(id));
      if (!t) return Error{EINVAL, name + ": type id " + std::to_string(id) + " is not a struct of the object's BTF"};
    }
    set(meta, reinterpret_cast<uint64_t>(t));
    any = true;
  } else if (off >= 0 && meta >= 0) {
    // push/add: the node's struct and offset, from what the verifier saw
    // the root hold, else from the head or root the pointer analysis found
    // (what its `contains:` names), else from the only kind of node the
    // object's roots hold.
    if (b.verified_inserts)
      if (auto v = b.verified_inserts->find(insn); v != b.verified_inserts->end() && v->second.type) {
        set(meta, reinterpret_cast<uint64_t>(v->second.type));
        set(off, v->second.offset);
        return bound;
      }
    const bool list = p.args[0].type == "bpf_list_head";
    const auto& nodes = list ? b.list_nodes : b.rb_nodes;
    const char* root = list ? "bpf_list_head" : "bpf_rb_root";
    const Field* f = args ? field_at(args->r1) : nullptr;
    if (f && f->kind == (list ? FieldKind::ListHead : FieldKind::RbRoot) && b.types) {
      if (const obj::Type* t = b.types->type(f->node_struct_id)) {
        set(meta, reinterpret_cast<uint64_t>(t));
        set(off, f->node_offset);
        return bound;
      }
    }
    if (nodes.empty())
      return Error{EINVAL, name + ": no " + std::string(root) + " of this object holds nodes (a __contains tag names them)"};
    if (nodes.size() > 1)
      return Error{EINVAL, name + ": this object's " + std::string(root) + "s hold different nodes (" + node_list(nodes) +
                               ") and ringb could not tell which one this call's " + root +
                               " holds: the verifier binds each call, but this program was not verified (or its "
                               "paths reach the call with different roots), and the pointer analysis that stands "
                               "in for it follows only map lookups, global data, objects and graph walks"};
    set(meta, reinterpret_cast<uint64_t>(nodes[0].type));
    set(off, nodes[0].offset);
    any = true;
  } else if (meta >= 0) {
    set(meta, 0);  // obj_drop, refcount_acquire: the object knows its type
    any = true;
  }
  if (!any) return std::unique_ptr<BoundCall>();
  return bound;
}

}  // namespace ringb::vm
