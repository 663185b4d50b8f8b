#include "annotations.h"

#include <bpf/btf.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string_view>

#include "ringb_bpf_corpus.h"

namespace ringb::bpf_corpus {
namespace {

constexpr std::string_view kPrefix = "comment:";

bool parse_int(const std::string& text, int64_t* value) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 0);
  if (errno != 0 || *end != '\0') return false;
  // Program return values are 32 bits; accept both signed and unsigned spellings.
  if (v < INT32_MIN || v > static_cast<long long>(UINT32_MAX)) return false;
  *value = v;
  return true;
}

// Applies one "comment:..." tag (prefix already stripped) to `a`.
bool apply_tag(std::string_view tag, ProgramAnnotations* a, std::string* error) {
  auto value_of = [&](std::string_view key, std::string* value) {
    if (tag.substr(0, key.size()) != key) return false;
    *value = std::string(tag.substr(key.size()));
    return true;
  };
  std::string value;
  if (value_of("test_retval=", &value)) {
    int64_t v = 0;
    if (!parse_int(value, &v)) {
      *error = a->function + ": test_retval '" + value +
               "' is not an integer in [INT32_MIN, UINT32_MAX]";
      return false;
    }
    if (a->retval) {
      *error = a->function + ": more than one test_retval";
      return false;
    }
    a->retval = v;
  } else if (tag == "test_expect_success") {
    a->expect_success = true;
  } else if (tag == "test_expect_failure") {
    a->expect_failure = true;
  } else if (value_of("test_expect_msg=", &value)) {
    a->messages.push_back(value);
  } else if (value_of("test_description=", &value)) {
    a->description = value;
  }
  // Other comment: tags (selftests have many) are ignored.
  return true;
}

}  // namespace

bool read_annotations(const std::string& object_path,
                      std::vector<ProgramAnnotations>* out, std::string* error) {
  out->clear();
  struct btf* btf = btf__parse(object_path.c_str(), nullptr);
  if (btf == nullptr) {
    *error = object_path + ": cannot read BTF: " + std::strerror(errno);
    return false;
  }
  std::map<uint32_t, size_t> index_of_func;  // FUNC type id -> index in *out
  bool ok = true;
  const uint32_t count = btf__type_cnt(btf);
  for (uint32_t id = 1; id < count && ok; ++id) {
    const struct btf_type* t = btf__type_by_id(btf, id);
    if (!btf_is_decl_tag(t) || btf_decl_tag(t)->component_idx != -1) continue;
    const struct btf_type* target = btf__type_by_id(btf, t->type);
    if (target == nullptr || !btf_is_func(target)) continue;
    std::string_view tag = btf__name_by_offset(btf, t->name_off);
    if (tag.substr(0, kPrefix.size()) != kPrefix) continue;
    auto [it, inserted] = index_of_func.try_emplace(t->type, out->size());
    if (inserted) {
      out->emplace_back();
      out->back().function = btf__name_by_offset(btf, target->name_off);
    }
    ok = apply_tag(tag.substr(kPrefix.size()), &(*out)[it->second], error);
    if (!ok) *error = object_path + ": " + *error;
  }
  btf__free(btf);
  if (ok) {
    for (const ProgramAnnotations& a : *out) {
      if (a.expect_success && a.expect_failure) {
        *error = object_path + ": " + a.function + ": both __success and __failure";
        ok = false;
        break;
      }
    }
  }
  if (!ok) out->clear();
  return ok;
}

std::string object_path(const std::string& name) {
  return std::string(RINGB_BPF_CORPUS_DIR) + "/" + name + ".bpf.o";
}

}  // namespace ringb::bpf_corpus
