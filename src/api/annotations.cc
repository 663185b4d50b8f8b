// annotations.cc — the kernel selftests' test annotations, as BTF decl tags
// on a program's function: "comment:test_retval=N", "comment:test_expect_msg=…"
// (newer headers: "comment:test_expect_msg=<N>=…"), and so on.
#include <cstdlib>
#include <cstring>

#include "ringb/runtime.h"

namespace ringb {
namespace {

bool starts(const std::string& s, const char* prefix, std::string& rest) {
  const size_t n = std::strlen(prefix);
  if (s.compare(0, n, prefix) != 0) return false;
  rest = s.substr(n);
  return true;
}

// Drops a leading "<counter>=" that newer selftest headers insert.
std::string strip_counter(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i > 0 && i < s.size() && s[i] == '=' ? s.substr(i + 1) : s;
}

}  // namespace

TestAnnotations annotations_of(const Object& obj, const Program& prog) {
  TestAnnotations a;
  if (!obj.btf || !prog.btf_func_id) return a;
  for (const std::string& tag : obj.btf->decl_tags(prog.btf_func_id)) {
    std::string rest;
    if (starts(tag, "comment:test_retval=", rest)) {
      a.has_retval = true;
      a.retval = std::strtoll(rest.c_str(), nullptr, 0);
    } else if (tag == "comment:test_expect_failure") {
      a.expect_failure = true;
    } else if (tag == "comment:test_expect_success") {
      a.expect_success = true;
    } else if (starts(tag, "comment:test_expect_msg=", rest)) {
      a.messages.push_back(strip_counter(rest));
    } else if (starts(tag, "comment:test_description=", rest)) {
      a.description = rest;
    }
  }
  return a;
}

}  // namespace ringb
