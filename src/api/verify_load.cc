// verify_load.cc — see verify_load.h.
#include "verify_load.h"

#include "ringb/kfuncs.h"
#include "ringb/verifier.h"

namespace ringb::api {

Status verify_programs(const Object& obj, const LoadPlan& plan, const vm::Functions& fns, bool strict,
                       std::shared_ptr<const Btf> kernel_btf,
                       std::vector<std::string>& unverified,
                       std::vector<std::vector<verifier::GraphInsert>>& inserts) {
  inserts.assign(obj.programs.size(), {});
  verifier::Options vo;
  vo.kernel_btf = std::move(kernel_btf);
  for (const std::string& name : obj.kfuncs) {
    if (kfuncs::find(kfuncs::builtin(), name)) continue;
    const vm::Functions::Kfunc* k = fns.kfunc_entry(name);
    if (!k) continue;  // check_calls has named it
    if (k->proto) vo.host_kfuncs.push_back(*k->proto);
    else vo.unchecked_kfuncs.push_back(name);
  }
  for (size_t i = 0; i < obj.programs.size(); ++i) {
    if (!plan.programs[i]) continue;
    const verifier::Result r = verifier::verify(obj, i, vo);
    if (!r.ok && !r.unmodelled.empty() && !strict) {
      unverified.push_back("program '" + obj.programs[i].name + "' is not verified: it uses " + r.unmodelled +
                           " (insn " + std::to_string(r.insn) + "), which ringb's verifier does not model yet");
      continue;
    }
    inserts[i] = r.graph_inserts;
    if (!r.ok)
      return Error{EACCES, obj.name + ": program '" + obj.programs[i].name + "' rejected by the verifier at insn " +
                               std::to_string(r.insn) + ": " + r.message};
  }
  return {};
}

}  // namespace ringb::api
