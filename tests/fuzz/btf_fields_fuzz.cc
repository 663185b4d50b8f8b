// btf_fields_fuzz.cc — libFuzzer target: raw .BTF bytes (what libbpf
// accepts) through the special-field search: struct metas, and every type's
// record with every kind asked. Cyclic, deep or inconsistent BTF must give
// an error or a record, never a crash, a hang or a record that breaks its
// own invariants (sorted, non-overlapping, inside the type).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "ringb/btf.h"
#include "ringb/fields.h"

namespace {

void check(const ringb::FieldRecord& r, int64_t size) {
  uint64_t end = 0;
  for (const ringb::Field& f : r.fields) {
    if (f.offset < end || (size >= 0 && uint64_t{f.offset} + f.size > static_cast<uint64_t>(size))) std::abort();
    end = uint64_t{f.offset} + f.size;
    if (r.at(f.offset) != &f) std::abort();
  }
  (void)ringb::describe_record(r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto btf = ringb::Btf::parse(data, size);
  if (!btf) return 0;
  const ringb::Btf& b = **btf;
  if (auto metas = ringb::parse_struct_metas(b))
    for (const ringb::StructMeta& m : *metas) check(m.record, m.size);
  // Bounded: a huge BTF is not more interesting, only slower.
  for (uint32_t id = 0; id < b.type_count() && id < 2000; ++id)
    for (uint32_t kinds : {ringb::kAllFields, ringb::kMapValueFields, ringb::kObjectFields})
      if (auto rec = ringb::parse_fields(b, id, kinds)) check(*rec, b.size_of(b.skip_modifiers(id)));
  return 0;
}
