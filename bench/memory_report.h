// memory_report.h — how much memory ringb's general-mode allocator holds per
// cpu: idle right after creation, and with every size class in use.
#pragma once

#include <ostream>

namespace ringb_bench {

// Builds a fresh allocator, measures, prints, and destroys it. Must run while
// no other thread holds a cpu slot (it takes all of them).
void print_memory_report(std::ostream& out);

}  // namespace ringb_bench
