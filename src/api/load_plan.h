// load_plan.h — which programs and maps of an object Runtime::load creates
// (load_plan.cc), and what the chosen programs call that ringb lacks.
#pragma once

#include <string>
#include <vector>

#include "ringb/error.h"
#include "ringb/object.h"
#include "ringb/vm.h"

namespace ringb::api {

struct LoadPlan {
  std::vector<bool> programs;  // parallel to Object::programs
  std::vector<bool> maps;      // parallel to Object::maps
};

// `names` empty: every autoloaded program and every map (bpf_object__load).
// Otherwise those programs, whatever '?' says, with what they use: the maps
// their code refers to, the programs of those prog arrays' `.values`
// (their own maps in turn) and the maps of those maps of maps' `.values`. Errors: ENOENT for a name that is not a program.
Expected<LoadPlan> plan_load(const Object& obj, const std::vector<std::string>& names);

// Every helper and kfunc the planned programs call that `fns` lacks, all
// of them, program by program; EINVAL naming each, or success.
Status check_calls(const Object& obj, const LoadPlan& plan, const vm::Functions& fns);

}  // namespace ringb::api
