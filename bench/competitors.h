// competitors.h — the allocators the benchmark compares, as a table of
// function pointers, so that every case is written once for all of them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ringb_bench {

struct AllocOps {
  void* (*alloc)(size_t size) = nullptr;  // ringb's may return nullptr: cache empty
  void (*free)(void* p) = nullptr;
};

struct Competitor {
  std::string name;
  AllocOps general;  // any size up to 4088 bytes
  AllocOps fixed64;  // 64-byte objects: ringb's fixed-size mode, malloc(64) for the others
  bool pinned = false;  // hold a ringb::cpu::CpuGuard around the timing loop
  bool alloc_may_fail = false;  // ringb: nullptr while this cpu's cache is empty
  // Creates state shared by the benchmark threads (once; thread-safe), or null.
  void (*prepare)() = nullptr;
};

// The table's columns, in order; a library that cannot be loaded leaves a gap.
inline const std::vector<std::string> kColumns = {"ringb", "ringb-unpinned", "glibc", "jemalloc",
                                                  "mimalloc"};

// jemalloc's library needs more static TLS than glibc keeps spare for
// dlopen(); glibc reads the spare amount from GLIBC_TUNABLES at start-up only.
// When that is why jemalloc does not load, re-executes the program once with
// the tunable raised. Call first thing in main().
void reexec_if_jemalloc_lacks_static_tls(char** argv);

// The competitors that could be loaded, in kColumns order. Prints a note on
// stderr for each one left out, and checks that every dlsym'ed malloc differs
// from the process's own (glibc's).
std::vector<Competitor> load_competitors();

// Destroys ringb's shared allocators; call after every benchmark has run.
void destroy_ringb_allocators();

}  // namespace ringb_bench
