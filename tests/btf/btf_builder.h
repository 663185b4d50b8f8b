// btf_builder.h — BTF blobs for tests, written with libbpf's BTF writer:
// structs with special fields, kptrs, decl tags, sections, and BTF no C
// compiler writes (overlapping members, look-alike structs). The same blob
// goes to ringb (parse()) and to the kernel (raw(), BPF_BTF_LOAD).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ringb/btf.h"

struct btf;

namespace ringb::testing {

struct Member {
  std::string name;
  uint32_t type;
  uint32_t offset;        // bytes
  uint32_t bit_size = 0;  // a bitfield's width; then bit_offset is used
  uint32_t bit_offset = 0;
};

struct SecVar {
  uint32_t var;
  uint32_t offset, size;
};

class BtfBuilder {
 public:
  BtfBuilder();
  ~BtfBuilder();
  BtfBuilder(const BtfBuilder&) = delete;
  BtfBuilder& operator=(const BtfBuilder&) = delete;

  uint32_t u32() const { return u32_; }
  uint32_t u64() const { return u64_; }
  // The struct `name` (bpf_spin_lock, bpf_list_node, ...) with its UAPI
  // size, made on first use.
  uint32_t special(const std::string& name);
  // Another struct of that name and `size` bytes (a look-alike).
  uint32_t special_sized(const std::string& name, uint32_t size);
  uint32_t add_struct(const std::string& name, uint32_t size, const std::vector<Member>& members);
  uint32_t add_union(const std::string& name, uint32_t size, const std::vector<Member>& members);
  uint32_t array(uint32_t elem, uint32_t n);
  // PTR -> TYPE_TAG(tag) -> pointee.
  uint32_t kptr(const std::string& tag, uint32_t pointee);
  uint32_t type_tag(const std::string& tag, uint32_t type);
  uint32_t ptr(uint32_t type);
  uint32_t typedef_of(const std::string& name, uint32_t type);
  uint32_t const_of(uint32_t type);
  uint32_t volatile_of(uint32_t type);
  uint32_t fwd(const std::string& name);
  void decl_tag(uint32_t target, int component, const std::string& value);
  // "contains:TYPE:NODE" on member `member` of `strct` (-1: a variable).
  void contains(uint32_t target, int member, const std::string& type, const std::string& node);
  uint32_t var(const std::string& name, uint32_t type);
  uint32_t datasec(const std::string& name, uint32_t size, const std::vector<SecVar>& vars);

  std::vector<uint8_t> raw() const;
  std::shared_ptr<Btf> parse() const;  // ringb's view (fails the test if libbpf refuses it)

 private:
  struct btf* b_;
  uint32_t u32_, u64_;
  std::map<std::string, uint32_t> specials_;
};

// The UAPI size of a special struct, 0 for other names.
uint32_t special_size(const std::string& name);

}  // namespace ringb::testing
