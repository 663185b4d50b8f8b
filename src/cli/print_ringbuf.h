// print_ringbuf.h — `ringb run --ringbuf`: after the run, every record left
// in the object's ringbuf maps, consumed as a libbpf consumer would.
#pragma once

#include <cstdio>

#include "ringb/runtime.h"

namespace ringb::cli {

// One line per record: "ringbuf MAP: record N, LEN bytes: hex bytes".
// Returns the number of records printed, or a negative errno.
int print_ringbufs(const LoadedObject& lo, FILE* out);

}  // namespace ringb::cli
