// competitors.cc — glibc malloc, jemalloc and mimalloc (dlopen'ed), and ringb.
#include "competitors.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "ringb/mem.h"

namespace ringb_bench {
namespace {

constexpr const char* kJemallocLib = "libjemalloc.so.2";
constexpr const char* kMimallocLib = "libmimalloc.so.2";
constexpr const char* kReexecMarker = "RINGB_BENCH_REEXECED";

// ---- malloc-family competitors -----------------------------------------------

// Loads `lib` (RTLD_LOCAL: its malloc must not be bound by anything else in the
// process) and its alloc/free symbols into `out`; false, with a note, if not.
// The table then calls the library's own functions directly, as it does
// glibc's.
bool load_library(const char* lib, const char* alloc_sym, const char* free_sym, AllocOps& out) {
  void* h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    std::fprintf(stderr, "note: %s not loaded (%s): skipping it\n", lib, dlerror());
    return false;
  }
  out.alloc = reinterpret_cast<void* (*)(size_t)>(dlsym(h, alloc_sym));
  out.free = reinterpret_cast<void (*)(void*)>(dlsym(h, free_sym));
  if (!out.alloc || !out.free) {
    std::fprintf(stderr, "note: %s has no %s/%s: skipping it\n", lib, alloc_sym, free_sym);
    return false;
  }
  // Were we handed glibc's malloc, we would measure glibc twice.
  if (reinterpret_cast<void*>(out.alloc) == reinterpret_cast<void*>(&::malloc) ||
      reinterpret_cast<void*>(out.free) == reinterpret_cast<void*>(&::free)) {
    std::fprintf(stderr,
                 "WARNING: %s's %s resolves to the process's malloc (glibc): its column "
                 "would measure glibc again; skipping it\n",
                 lib, alloc_sym);
    return false;
  }
  std::fprintf(stderr, "note: %s: %s at %p (glibc malloc at %p): distinct, good\n", lib,
               alloc_sym, reinterpret_cast<void*>(out.alloc),
               reinterpret_cast<void*>(&::malloc));
  return true;
}

Competitor malloc_family(const char* name, AllocOps ops) {
  Competitor c;
  c.name = name;
  c.general = ops;
  c.fixed64 = c.general;
  return c;
}

// ---- ringb ---------------------------------------------------------------------

// One general-mode and one fixed-size (64-byte) allocator, shared by every
// ringb benchmark and thread; created by the first prepare(), before the
// timing loop, and destroyed at the end of main().
std::once_flag g_ringb_once;
std::unique_ptr<ringb::mem::MemAlloc> g_general, g_fixed64;

std::unique_ptr<ringb::mem::MemAlloc> create_or_die(const char* name, size_t unit_size) {
  ringb::mem::Options o;
  o.name = name;
  o.unit_size = unit_size;
  auto ma = ringb::mem::MemAlloc::create(o);
  if (!ma) {
    std::fprintf(stderr, "cannot create ringb allocator '%s': %s\n", name,
                 ma.error().message.c_str());
    std::exit(1);
  }
  return std::move(ma).value();
}

void ringb_prepare() {
  std::call_once(g_ringb_once, [] {
    g_general = create_or_die("bench-general", 0);
    g_fixed64 = create_or_die("bench-fixed64", 64);
  });
}

void* ringb_alloc(size_t n) { return g_general->alloc(n); }
void ringb_free(void* p) { g_general->free(p); }
void* ringb_cache_alloc(size_t) { return g_fixed64->cache_alloc(); }
void ringb_cache_free(void* p) { g_fixed64->cache_free(p); }

Competitor ringb_variant(const char* name, bool pinned) {
  Competitor c;
  c.name = name;
  c.general = {ringb_alloc, ringb_free};
  c.fixed64 = {ringb_cache_alloc, ringb_cache_free};
  c.pinned = pinned;
  c.alloc_may_fail = true;
  c.prepare = ringb_prepare;
  return c;
}

}  // namespace

void reexec_if_jemalloc_lacks_static_tls(char** argv) {
  void* h = dlopen(kJemallocLib, RTLD_NOW | RTLD_LOCAL);
  if (h) return;  // loads as is (load_competitors() opens it again: refcounted)
  const char* err = dlerror();
  if (!err || !std::strstr(err, "static TLS") || std::getenv(kReexecMarker)) return;
  std::string tunables = "glibc.rtld.optional_static_tls=16384";
  if (const char* old = std::getenv("GLIBC_TUNABLES")) tunables = std::string(old) + ":" + tunables;
  setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
  setenv(kReexecMarker, "1", 1);
  std::fprintf(stderr, "note: %s needs more static TLS than glibc keeps spare; "
                       "re-running with GLIBC_TUNABLES=%s\n", kJemallocLib, tunables.c_str());
  execv("/proc/self/exe", argv);
  std::fprintf(stderr, "note: re-exec failed (%s); jemalloc will be skipped\n",
               std::strerror(errno));
}

std::vector<Competitor> load_competitors() {
  std::vector<Competitor> out;
  out.push_back(ringb_variant("ringb", true));
  out.push_back(ringb_variant("ringb-unpinned", false));
  out.push_back(malloc_family("glibc", {::malloc, ::free}));
  if (AllocOps ops; load_library(kJemallocLib, "malloc", "free", ops))
    out.push_back(malloc_family("jemalloc", ops));
  if (AllocOps ops; load_library(kMimallocLib, "mi_malloc", "mi_free", ops))
    out.push_back(malloc_family("mimalloc", ops));
  return out;
}

void destroy_ringb_allocators() {
  g_general.reset();
  g_fixed64.reset();
}

}  // namespace ringb_bench
