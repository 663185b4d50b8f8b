// load.cc — see load.h.
#include "load.h"

#include <fstream>
#include <iterator>

namespace ringb::cli {

Expected<std::vector<uint8_t>> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ENOENT, path + ": cannot open"};
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error{EIO, path + ": read error"};
  return bytes;
}

std::vector<uint8_t> default_packet() { return std::vector<uint8_t>(kTestDataLen, 0); }

}  // namespace ringb::cli
