// ringb/btf.h — an object's BTF (through libbpf's btf API) and its .BTF.ext
// (func info, line info, CO-RE relocations), which ringb parses itself.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ringb/error.h"

struct btf;       // libbpf
struct btf_type;  // linux/btf.h

namespace ringb {

class Btf {
 public:
  // Parses raw .BTF section data. Errors: EINVAL with libbpf's reason.
  static Expected<std::shared_ptr<Btf>> parse(const void* data, size_t size);
  // Parses a file: raw BTF (/sys/kernel/btf/vmlinux) or an ELF object's .BTF
  // (kernel_btf.cc). Errors: libbpf's errno and the path.
  static Expected<std::shared_ptr<Btf>> parse_file(const std::string& path);
  ~Btf();
  Btf(const Btf&) = delete;
  Btf& operator=(const Btf&) = delete;

  // The libbpf handle, for callers that want the rest of its API.
  struct btf* raw() const { return btf_; }

  uint32_t type_count() const;  // ids run 1 … type_count() - 1
  const btf_type* type(uint32_t id) const;  // nullptr for a bad id
  std::string name(uint32_t id) const;
  std::string string_at(uint32_t offset) const;
  // Size in bytes of a type after typedefs and qualifiers; -1 if it has none.
  int64_t size_of(uint32_t id) const;
  // Follows typedefs and const/volatile/restrict/type tags.
  uint32_t skip_modifiers(uint32_t id) const;
  // The id of the named type of a kind (BTF_KIND_*), or 0.
  uint32_t find(const std::string& name, int kind) const;
  // "struct foo", "u32", "int *", … for messages and dumps.
  std::string describe(uint32_t id) const;
  // The strings of the decl tags on type `id` (component -1: the type itself,
  // else the member or argument with that index).
  std::vector<std::string> decl_tags(uint32_t id, int component = -1) const;

  // Clang leaves DATASEC sizes and variable offsets to the loader, as libbpf
  // does: sets the size of DATASEC `section`, and each variable's offset by
  // asking `offset_of(var name)` (-1: leave it).
  template <typename OffsetOf>
  void fix_datasec(const std::string& section, uint32_t size, OffsetOf offset_of);

 private:
  explicit Btf(struct btf* b) : btf_(b) {}
  void set_datasec(uint32_t id, uint32_t size, const std::vector<int64_t>& offsets);
  uint32_t datasec_vars(uint32_t id, std::vector<std::string>& names) const;
  struct btf* btf_;
};

template <typename OffsetOf>
void Btf::fix_datasec(const std::string& section, uint32_t size, OffsetOf offset_of) {
  const uint32_t id = find(section, 15 /* BTF_KIND_DATASEC */);
  if (!id) return;
  std::vector<std::string> names;
  datasec_vars(id, names);
  std::vector<int64_t> offsets;
  for (const auto& n : names) offsets.push_back(offset_of(n));
  set_datasec(id, size, offsets);
}

// .BTF.ext, per ELF section (by name). insn_off values are byte offsets
// within that section.
struct BtfExt {
  struct FuncInfo {
    uint32_t insn_off, type_id;
  };
  struct LineInfo {
    uint32_t insn_off, file_name_off, line_off, line_col;
  };
  struct CoreRelo {
    uint32_t insn_off, type_id, access_str_off, kind;
  };
  std::map<std::string, std::vector<FuncInfo>> func_info;
  std::map<std::string, std::vector<LineInfo>> line_info;
  std::map<std::string, std::vector<CoreRelo>> core_relos;

  static Expected<BtfExt> parse(const void* data, size_t size, const Btf& btf);
};

// CO-RE relocation kinds (enum bpf_core_relo_kind).
enum class CoreReloKind : uint32_t {
  FieldByteOffset = 0,
  FieldByteSize = 1,
  FieldExists = 2,
  FieldSigned = 3,
  FieldLshiftU64 = 4,
  FieldRshiftU64 = 5,
  TypeIdLocal = 6,
  TypeIdTarget = 7,
  TypeExists = 8,
  TypeSize = 9,
  EnumvalExists = 10,
  EnumvalValue = 11,
  TypeMatches = 12,
};
const char* core_relo_kind_name(uint32_t kind);

}  // namespace ringb
