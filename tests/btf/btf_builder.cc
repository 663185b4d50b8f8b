// btf_builder.cc — BtfBuilder on libbpf's btf__add_* writer.
#include "btf_builder.h"

#include <bpf/btf.h>
#include <gtest/gtest.h>

namespace ringb::testing {

uint32_t special_size(const std::string& name) {
  static const std::map<std::string, uint32_t> kSizes = {
      {"bpf_spin_lock", 4}, {"bpf_res_spin_lock", 4}, {"bpf_timer", 16},     {"bpf_wq", 16},
      {"bpf_task_work", 8}, {"bpf_list_head", 16},    {"bpf_list_node", 24}, {"bpf_rb_root", 16},
      {"bpf_rb_node", 32},  {"bpf_refcount", 4}};
  auto it = kSizes.find(name);
  return it == kSizes.end() ? 0 : it->second;
}

BtfBuilder::BtfBuilder() : b_(btf__new_empty()) {
  u32_ = static_cast<uint32_t>(btf__add_int(b_, "unsigned int", 4, 0));
  u64_ = static_cast<uint32_t>(btf__add_int(b_, "unsigned long", 8, 0));
}

BtfBuilder::~BtfBuilder() { btf__free(b_); }

uint32_t BtfBuilder::special(const std::string& name) {
  auto it = specials_.find(name);
  if (it != specials_.end()) return it->second;
  const uint32_t id = special_sized(name, special_size(name));
  specials_[name] = id;
  return id;
}

uint32_t BtfBuilder::special_sized(const std::string& name, uint32_t size) {
  std::vector<Member> words;
  for (uint32_t i = 0; i < size / 4; ++i) words.push_back({"w" + std::to_string(i), u32_, i * 4});
  return add_struct(name, size, words);
}

uint32_t BtfBuilder::add_struct(const std::string& name, uint32_t size, const std::vector<Member>& members) {
  const int id = btf__add_struct(b_, name.empty() ? nullptr : name.c_str(), size);
  EXPECT_GT(id, 0) << name;
  for (const Member& m : members) {
    const uint32_t bit = m.bit_size ? m.bit_offset : m.offset * 8;
    EXPECT_EQ(btf__add_field(b_, m.name.empty() ? nullptr : m.name.c_str(), static_cast<int>(m.type), bit,
                             m.bit_size),
              0)
        << name << "." << m.name;
  }
  return static_cast<uint32_t>(id);
}

uint32_t BtfBuilder::add_union(const std::string& name, uint32_t size, const std::vector<Member>& members) {
  const int id = btf__add_union(b_, name.empty() ? nullptr : name.c_str(), size);
  for (const Member& m : members) btf__add_field(b_, m.name.c_str(), static_cast<int>(m.type), 0, 0);
  return static_cast<uint32_t>(id);
}

uint32_t BtfBuilder::array(uint32_t elem, uint32_t n) {
  return static_cast<uint32_t>(btf__add_array(b_, static_cast<int>(u32_), static_cast<int>(elem), n));
}

uint32_t BtfBuilder::type_tag(const std::string& tag, uint32_t type) {
  return static_cast<uint32_t>(btf__add_type_tag(b_, tag.c_str(), static_cast<int>(type)));
}

uint32_t BtfBuilder::ptr(uint32_t type) { return static_cast<uint32_t>(btf__add_ptr(b_, static_cast<int>(type))); }

uint32_t BtfBuilder::kptr(const std::string& tag, uint32_t pointee) { return ptr(type_tag(tag, pointee)); }

uint32_t BtfBuilder::typedef_of(const std::string& name, uint32_t type) {
  return static_cast<uint32_t>(btf__add_typedef(b_, name.c_str(), static_cast<int>(type)));
}

uint32_t BtfBuilder::const_of(uint32_t type) { return static_cast<uint32_t>(btf__add_const(b_, static_cast<int>(type))); }

uint32_t BtfBuilder::volatile_of(uint32_t type) {
  return static_cast<uint32_t>(btf__add_volatile(b_, static_cast<int>(type)));
}

uint32_t BtfBuilder::fwd(const std::string& name) {
  return static_cast<uint32_t>(btf__add_fwd(b_, name.c_str(), BTF_FWD_STRUCT));
}

void BtfBuilder::decl_tag(uint32_t target, int component, const std::string& value) {
  EXPECT_GT(btf__add_decl_tag(b_, value.c_str(), static_cast<int>(target), component), 0) << value;
}

void BtfBuilder::contains(uint32_t target, int member, const std::string& type, const std::string& node) {
  decl_tag(target, member, "contains:" + type + ":" + node);
}

uint32_t BtfBuilder::var(const std::string& name, uint32_t type) {
  return static_cast<uint32_t>(btf__add_var(b_, name.c_str(), BTF_VAR_GLOBAL_ALLOCATED, static_cast<int>(type)));
}

uint32_t BtfBuilder::datasec(const std::string& name, uint32_t size, const std::vector<SecVar>& vars) {
  const int id = btf__add_datasec(b_, name.c_str(), size);
  for (const SecVar& v : vars) btf__add_datasec_var_info(b_, static_cast<int>(v.var), v.offset, v.size);
  return static_cast<uint32_t>(id);
}

std::vector<uint8_t> BtfBuilder::raw() const {
  uint32_t size = 0;
  const void* data = btf__raw_data(b_, &size);
  const auto* p = static_cast<const uint8_t*>(data);
  return std::vector<uint8_t>(p, p + size);
}

std::shared_ptr<Btf> BtfBuilder::parse() const {
  const std::vector<uint8_t> bytes = raw();
  auto btf = Btf::parse(bytes.data(), bytes.size());
  EXPECT_TRUE(btf.ok()) << btf.error().message;
  return btf.ok() ? btf.value() : nullptr;
}

}  // namespace ringb::testing
