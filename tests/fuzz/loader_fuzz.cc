// loader_fuzz.cc — libFuzzer target: any bytes through the loader (ELF,
// BTF, .BTF.ext, relocations, linking) and, for what loads, the decoder.
// Built with clang (scripts/test --sanitize runs it for a while, seeded with
// the BPF test corpus); any crash, leak or sanitizer report is a bug.
#include <cstddef>
#include <cstdint>

#include "ringb/object.h"
#include "ringb/vm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto obj = ringb::Object::open_memory(data, size, "fuzz.o");
  if (!obj) return 0;
  const ringb::vm::Functions fns = ringb::vm::Functions::builtin();
  const std::vector<ringb::maps::Map*> no_maps(obj->maps.size(), nullptr);
  for (const ringb::Program& p : obj->programs) {
    auto exe = ringb::vm::Executable::create(p, no_maps, obj->kfuncs, fns);
    (void)exe;
  }
  return 0;
}
