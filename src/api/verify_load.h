// verify_load.h — Runtime::Options::verify: every planned program through
// ringb's verifier before anything is created.
#pragma once

#include "load_plan.h"
#include "ringb/error.h"
#include "ringb/object.h"
#include "ringb/verifier.h"
#include "ringb/vm.h"

namespace ringb::api {

// EACCES naming the program, the instruction and the verifier's message for
// the first planned program the verifier rejects; success otherwise. The
// host's kfuncs (fns) are checked against their prototypes, when they have one.
// A program that uses what the verifier does not model yet gets no verdict:
// with `strict` that refuses the load (EACCES); otherwise the program loads
// unverified and `unverified` gets a line naming it and what it uses.
// `inserts[i]` gets what the verifier learnt of program i's graph inserts
// (verifier::Result::graph_inserts).
// `kernel_btf` types tracing programs' arguments (verifier::Options::kernel_btf).
Status verify_programs(const Object& obj, const LoadPlan& plan, const vm::Functions& fns, bool strict,
                       std::shared_ptr<const Btf> kernel_btf,
                       std::vector<std::string>& unverified,
                       std::vector<std::vector<verifier::GraphInsert>>& inserts);

}  // namespace ringb::api
