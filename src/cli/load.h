// load.h — what run and test share: reading files, loading an object.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ringb/runtime.h"

namespace ringb::cli {

// The whole file, or an error naming it.
Expected<std::vector<uint8_t>> read_file(const std::string& path);

// The packet the kernel selftests' test loader passes: 64 zero bytes.
std::vector<uint8_t> default_packet();

}  // namespace ringb::cli
