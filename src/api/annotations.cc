// annotations.cc — the kernel selftests' test annotations, as BTF decl tags
// on a program's function: "comment:test_retval=N", "comment:test_expect_msg=…"
// (newer headers: "comment:<N>:test_…", and "test_expect_msg=<N>=…").
#include <cstring>

#include "ringb/runtime.h"

namespace ringb {
namespace {

bool starts(std::string_view s, const char* prefix, std::string& rest) {
  const size_t n = std::strlen(prefix);
  if (s.substr(0, n) != prefix) return false;
  rest = std::string(s.substr(n));
  return true;
}

// Drops a leading "<counter>=" that some selftest headers insert.
std::string strip_counter(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i > 0 && i < s.size() && s[i] == '=' ? s.substr(i + 1) : s;
}

void read_retval(const std::string& tag, const std::string& text, bool& has, ExpectedRetval& out,
                 std::vector<std::string>& malformed) {
  if (auto v = parse_test_retval(text)) {
    has = true;
    out = *v;
  } else {
    malformed.push_back(tag);
  }
}

}  // namespace

TestAnnotations annotations_of(const Object& obj, const Program& prog) {
  TestAnnotations a;
  if (!obj.btf || !prog.btf_func_id) return a;
  for (const std::string& raw : obj.btf->decl_tags(prog.btf_func_id)) {
    const auto t = test_tag(raw);
    if (!t) continue;
    const std::string_view tag = *t;
    std::string rest;
    if (starts(tag, "test_retval=", rest)) {
      read_retval(std::string(tag), rest, a.has_retval, a.retval, a.malformed);
    } else if (starts(tag, "test_retval_unpriv=", rest)) {
      read_retval(std::string(tag), rest, a.has_retval_unpriv, a.retval_unpriv, a.malformed);
    } else if (tag == "test_expect_failure") {
      a.expect_failure = true;
    } else if (tag == "test_expect_success") {
      a.expect_success = true;
    } else if (tag == "test_expect_failure_unpriv") {
      a.expect_failure_unpriv = true;
    } else if (tag == "test_expect_success_unpriv") {
      a.expect_success_unpriv = true;
    } else if (tag == "test_auxiliary") {
      a.auxiliary = true;
    } else if (starts(tag, "test_expect_msg=", rest)) {
      a.messages.push_back(strip_counter(rest));
    } else if (starts(tag, "test_description=", rest)) {
      a.description = rest;
    }
  }
  return a;
}

}  // namespace ringb
