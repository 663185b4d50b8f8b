#include "annotations.h"

#include <bpf/btf.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string_view>

#include "ringb/test_retval.h"
#include "ringb_bpf_corpus.h"

namespace ringb::bpf_corpus {
namespace {

// Applies one "comment:..." tag (prefix already stripped) to `a`.
bool apply_tag(std::string_view tag, ProgramAnnotations* a, std::string* error) {
  auto value_of = [&](std::string_view key, std::string* value) {
    if (tag.substr(0, key.size()) != key) return false;
    *value = std::string(tag.substr(key.size()));
    return true;
  };
  std::string value;
  if (value_of("test_retval=", &value)) {
    const auto v = parse_test_retval(value);
    if (!v) {
      *error = a->function + ": test_retval '" + value +
               "' is not an integer in [INT32_MIN, UINT32_MAX] nor INT_MIN, INT_MAX, "
               "TEST_DATA_LEN or POINTER_VALUE";
      return false;
    }
    if (a->retval) {
      *error = a->function + ": more than one test_retval";
      return false;
    }
    a->retval = static_cast<int32_t>(v->value);
    a->retval_any = v->any;
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
    const auto tag = test_tag(btf__name_by_offset(btf, t->name_off));
    if (!tag) continue;
    auto [it, inserted] = index_of_func.try_emplace(t->type, out->size());
    if (inserted) {
      out->emplace_back();
      out->back().function = btf__name_by_offset(btf, target->name_off);
    }
    ok = apply_tag(*tag, &(*out)[it->second], error);
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
