// verify_load.h — Runtime::Options::verify: every planned program through
// ringb's verifier before anything is created.
#pragma once

#include "load_plan.h"
#include "ringb/error.h"
#include "ringb/object.h"
#include "ringb/vm.h"

namespace ringb::api {

// EACCES naming the program, the instruction and the verifier's message for
// the first planned program the verifier rejects; success otherwise. The
// host's kfuncs (fns) are checked against their prototypes, when they have one.
Status verify_programs(const Object& obj, const LoadPlan& plan, const vm::Functions& fns);

}  // namespace ringb::api
