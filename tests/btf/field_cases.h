// field_cases.h — special-field cases as BTF blobs, with what ringb must make
// of them. tests/btf/fields_test.cc holds ringb to the table;
// tests/kernel/fields_oracle_test.cc holds the table to the running kernel.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "btf_builder.h"

namespace ringb::testing {

// A BTF blob as the kernel loads it (BPF_BTF_LOAD): its struct metas.
struct MetaCase {
  std::string name;
  std::function<void(BtfBuilder&)> build;
  int expected = 0;              // errno of the load, 0: it loads
  std::string says;              // part of ringb's message
  std::map<std::string, std::string> metas;  // struct → describe_record(), for loads that succeed
  bool kernel = true;            // false: the kernel would only WARN (ringb is stricter)
};
const std::vector<MetaCase>& meta_cases();

// A map value type (a struct, or a DATASEC) in an array map: its record.
// When ringb's parse_fields fails, the kernel creates the map without
// fields, so its verifier lets programs read every byte.
struct RecordCase {
  std::string name;
  std::function<uint32_t(BtfBuilder&)> build;  // the value type
  std::string record;     // describe_record() of the value, "none" without fields
  int error = 0;          // parse_fields errno
  std::string says;
};
const std::vector<RecordCase>& record_cases();

// One value per field kind, for the map-type matrix.
struct ValueCase {
  std::string name;
  std::function<uint32_t(BtfBuilder&)> build;
  uint32_t size;
};
const std::vector<ValueCase>& value_cases();

}  // namespace ringb::testing
