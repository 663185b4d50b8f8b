// externs.h — values for an object's extern variables at load (externs.cc).
#pragma once

#include <string>

#include "load_plan.h"
#include "ringb/error.h"
#include "ringb/object.h"
#include "ringb/vm.h"

namespace ringb::api {

// Fills the ".kconfig" map's contents (host text "CONFIG_X=value" lines
// first, then the running kernel's config) and turns every __ksym load into
// the address `fns` has for it — for what `plan` loads only. Errors name the
// extern.
Status resolve_externs(Object& obj, const LoadPlan& plan, const std::string& kconfig, const vm::Functions& fns);

// CONFIG_HZ from the host's text, else the running kernel's config; 250
// (Debian's) when neither says.
uint32_t config_hz(const std::string& kconfig);

}  // namespace ringb::api
