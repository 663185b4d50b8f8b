// fields_objects.h — the objects of tests/elf/bpf/{fields_ok,bad_fields}.bpf.c
// and what opening them must give: tests/elf/fields_loader_test.cc checks
// ringb, tests/kernel/fields_oracle_test.cc the kernel's BTF load.
#pragma once

#include <cerrno>
#include <string>
#include <vector>

namespace ringb::testing {

struct FieldsObject {
  std::string file;       // under RINGB_ELF_BPF_DIR
  int error;              // the open's errno (ringb) = BPF_BTF_LOAD's (kernel); 0: opens
  std::string says;       // part of ringb's message
  std::string quiet_map;  // a map the kernel creates without fields (MapDef::fields_error)
  int quiet_error = 0;
};

inline const std::vector<FieldsObject>& fields_objects() {
  static const std::vector<FieldsObject> v = {
      {"fields_ok.bpf.o", 0, "", "", 0},
      {"bad_fields1.bpf.o", E2BIG, "struct bad: member 'b' is a second bpf_spin_lock", "", 0},
      {"bad_fields2.bpf.o", EINVAL, "struct bad: member 'head' is a bpf_list_head, which needs a bpf_spin_lock", "", 0},
      {"bad_fields3.bpf.o", EINVAL, "struct bad: member 'head' is a bpf_list_head without a `contains:` decl tag", "", 0},
      {"bad_fields4.bpf.o", ENOENT, "the BTF has no struct ringb_nothing", "", 0},
      {"bad_fields5.bpf.o", ENOENT, "struct ringb_elem has no member 'nod'", "", 0},
      {"bad_fields6.bpf.o", EINVAL, "that member is a struct bpf_rb_node, not a struct bpf_list_node", "", 0},
      {"bad_fields7.bpf.o", EINVAL, "an object in two graphs needs a bpf_refcount", "", 0},
      {"bad_fields8.bpf.o", ELOOP, "struct bad is a graph node and owns struct bad", "", 0},
      {"bad_fields9.bpf.o", EINVAL, "member 'head' has 2 `contains:` decl tags", "", 0},
      {"bad_fields10.bpf.o", E2BIG, "member 'ps[9]' is a special field past the 11", "", 0},
      {"bad_fields11.bpf.o", EINVAL, "member 'locks' is an array of bpf_spin_lock", "", 0},
      {"bad_fields12.bpf.o", 0, "", ".data.A", E2BIG},
      {"bad_fields13.bpf.o", 0, "", "bad_map", E2BIG},
  };
  return v;
}

}  // namespace ringb::testing
