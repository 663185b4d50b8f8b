// Test annotations of BPF corpus programs.
//
// Corpus programs carry their expectations as BTF decl tags on the program's
// FUNC (see include/ringb_test.h): "comment:test_retval=N",
// "comment:test_expect_success", "comment:test_expect_failure",
// "comment:test_expect_msg=TEXT", "comment:test_description=TEXT".  This
// reads them back from a compiled object with libbpf's BTF API, without
// loading anything into the kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ringb::bpf_corpus {

struct ProgramAnnotations {
  std::string function;          // FUNC name == ELF symbol == libbpf program name
  std::optional<int64_t> retval; // test_retval as a signed 32-bit value (INT_MIN, 0xffffffff: negative)
  bool retval_any = false;       // test_retval=POINTER_VALUE: any value passes
  bool expect_success = false;   // test_expect_success
  bool expect_failure = false;   // test_expect_failure
  std::vector<std::string> messages; // test_expect_msg, in order
  std::string description;       // test_description
};

// Annotations of every FUNC in `object_path` that has at least one
// "comment:" decl tag, in BTF order.  Returns false and sets *error if the
// object has no readable BTF or a tag is malformed (e.g. a retval that is not
// an integer in [INT32_MIN, UINT32_MAX]).
bool read_annotations(const std::string& object_path,
                      std::vector<ProgramAnnotations>* out, std::string* error);

// Path of corpus object NAME ("alu64" -> "<corpus dir>/alu64.bpf.o").
std::string object_path(const std::string& name);

}  // namespace ringb::bpf_corpus
