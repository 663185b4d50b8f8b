// iter_kfuncs.h — the open-coded iterators' kfunc bodies by name.
#pragma once

#include <map>
#include <string>

#include "ringb/vm.h"

namespace ringb::vm {

const std::map<std::string, Function>& iter_kfuncs();

}  // namespace ringb::vm
