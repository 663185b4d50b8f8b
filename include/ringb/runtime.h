// ringb/runtime.h — the C++ embedding API: load an object, run its programs
// the way BPF_PROG_TEST_RUN does, read and write its maps, and give programs
// the helpers and kfuncs only the host can supply.
//
//   ringb::Runtime rt;                                  // built-in helpers/kfuncs
//   rt.functions().add_kfunc("scx_bpf_dispatch", my_dispatch);
//   auto obj = rt.load("prog.bpf.o");                   // maps created, code checked
//   auto r = (*obj)->test_run("prog", {.data_in = pkt});  // r->retval, r->duration_ns
//   (*obj)->map("counts")->host_lookup(&key, sizeof key, &value, sizeof value);
//
// Every run holds a cpu slot and an RCU read-side section for its duration,
// as a program run does in the kernel (a sleepable program: the tasks-trace
// domain), which is what map elements and freed objects rely on.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "ringb/error.h"
#include "ringb/maps.h"
#include "ringb/ringbuf.h"
#include "ringb/sockets.h"
#include "ringb/mem.h"
#include "ringb/object.h"
#include "ringb/objects.h"
#include "ringb/test_retval.h"
#include "ringb/vm.h"

namespace ringb {

namespace api {
struct MapSet;
struct ProgramHandle;
}  // namespace api

struct TestRunOptions {
  std::vector<uint8_t> data_in;  // tc, xdp, socket filter: the packet
  std::vector<uint8_t> ctx_in;   // syscall and other types: the context; __sk_buff and xdp_md: the fields a test run may set
  uint32_t repeat = 1;
  bool count_insns = false;
  uint64_t insn_budget = 0;  // not 0: stop each run after this many instructions (E2BIG)
  FILE* trace = nullptr;  // bpf_trace_printk; nullptr: stderr
  // Cgroup storage (ringb/cgroup_storage.h). 0: the run gets fresh zeroed
  // storages, kept for its `repeat` runs and freed after, as the kernel's
  // test run. Not 0: the run uses the storages attached at (this cgroup id,
  // the program's expected attach type), made on the first such run and
  // kept while the map lives — what the host's lookups and updates see.
  uint64_t cgroup_storage_id = 0;
};

struct TestRunResult {
  uint32_t retval = 0;
  uint64_t duration_ns = 0;  // mean per run, as the kernel reports it
  uint64_t insns = 0;        // executed, all repeats (when counted)
  std::vector<uint8_t> data_out;
  std::vector<uint8_t> ctx_out;
};

class LoadedObject;

// A map held by the host: one it created (Runtime::create_map, the
// kernel's BPF_MAP_CREATE from user space) or found by id
// (Runtime::map_by_id, BPF_MAP_GET_FD_BY_ID). The map lives while a HostMap
// of it, its object, or a map of maps holding it does; drop the last one on
// a host thread outside any RCU read-side section.
struct HostMap {
  uint32_t id = 0;  // what a map of maps' host_update() takes, and its host_lookup() returns
  std::shared_ptr<maps::Map> map;
};

class Runtime {
 public:
  struct Options {
    mem::MemCgroup* cgroup = nullptr;  // charged for map memory
    bool force_dyn_alloc = false;      // hash maps never preallocate (bpf_force_dyn_alloc)
    // __kconfig values, libbpf's format: "CONFIG_X=y\nCONFIG_HZ=250\n".
    // Names not given here come from the running kernel's config.
    std::string kconfig;
    // Run ringb's verifier (ringb/verifier.h) on every program load() is
    // about to load, and refuse the load (EACCES, with the verifier's
    // message) if it rejects one. On by default, as in the kernel; false
    // runs unverified code (the vm still stops wild accesses it checks).
    bool verify = true;
    // A program that uses what the verifier does not model yet (iterators
    // other than num/bits, BTF-typed tracing arguments, sock_ops' context:
    // see docs/verifier.md) gets no verdict. By default it loads unverified and
    // LoadedObject::unverified() names it; strict refuses the load instead.
    bool verify_strict = false;
    // The kernel's BTF, which types the arguments of tp_btf/fentry/fexit/
    // fmod_ret/lsm programs for the verifier: a file (raw BTF or an ELF
    // object's .BTF); empty: /sys/kernel/btf/vmlinux when it exists; "none":
    // none (kernel_btf::kNone). Without
    // one, a kfunc handed such an argument gives no verdict.
    std::string kernel_btf;
  };
  Runtime();
  explicit Runtime(const Options& options);

  // Register host helpers, kfuncs and kernel symbols here, before load().
  vm::Functions& functions() { return fns_; }
  // Kernel kptr types programs may stash in maps (bpf_cpumask, and the
  // host's: a type with the release function its KF_RELEASE kfunc uses).
  obj::KptrTypes& kptr_types() { return kptr_types_; }
  // The host's sockets the socket helpers find (ringb/sockets.h): one table
  // per process, as one network namespace.
  sockets::Table& sockets() const { return sockets::table(); }

  // Which parts of an object load, as libbpf's bpf_program__set_autoload.
  struct LoadOptions {
    // Empty: every program not in a '?' section, and every map
    // (bpf_object__load). Otherwise exactly these programs ('?' or not) and
    // what they use: their subprograms, the maps their code refers to, the
    // programs in those prog arrays' `.values` and the maps in those maps of
    // maps' `.values`. The rest of the object
    // is neither decoded nor created, so a kfunc or map type ringb lacks in
    // another program does not stop these (the kernel's test_loader loads
    // each test so). LoadedObject::program() and map() are null for the rest.
    std::vector<std::string> programs;
  };

  // Errors name every helper and kfunc each loaded program calls that
  // ringb lacks, not only the first. Maps are all created before any map of
  // maps' `.values` are stored, so those may name any map of the object
  // (libbpf, which fills them as it creates maps, needs the inner maps
  // defined first).
  Expected<std::unique_ptr<LoadedObject>> load(const std::string& path, const LoadOptions& opts = {}) const;
  Expected<std::unique_ptr<LoadedObject>> load(Object obj, const LoadOptions& opts = {}) const;

  // BPF_MAP_CREATE from the host: a map of no object, with a fresh id, under
  // this runtime's options (cgroup, force_dyn_alloc). A map of maps needs
  // def.inner_map (the template, as the kernel's inner_map_fd; an existing
  // map's def() will do). Put it into a map of maps with
  //   outer->host_update(&key, sizeof key, &m->id, sizeof m->id, 0);
  // Errors: Map::create's, prefixed with the map's name.
  Expected<HostMap> create_map(const MapDef& def) const;
  // The live map with id `id` (an object's, a host's, or one a map of maps
  // keeps alive), as BPF_MAP_GET_FD_BY_ID; ENOENT when there is none.
  Expected<HostMap> map_by_id(uint32_t id) const;

 private:
  maps::Options map_options() const;
  Options options_;
  vm::Functions fns_;
  obj::KptrTypes kptr_types_;
  uint32_t jiffies_hz_;  // CONFIG_HZ, for bpf_jiffies64
};

class LoadedObject {
 public:
  const Object& object() const { return obj_; }
  // The programs loaded without a verdict (Options::verify_strict), each
  // with what the verifier does not model yet; empty when all were verified.
  const std::vector<std::string>& unverified() const { return unverified_; }
  // Null when there is no such map or program, or it was not loaded
  // (Runtime::LoadOptions::programs).
  maps::Map* map(const std::string& name) const;
  const vm::Executable* program(const std::string& name) const;
  // The bound special-field record of a map's values (lists, trees, kptrs,
  // locks), or null when its values have none; and the object's types.
  const obj::Record* map_record(const std::string& name) const;
  const obj::TypeSet* types() const;

  // A program's id (0: no such program). Ids are unique in the process, like
  // the kernel's prog IDs: a prog array's host_lookup() returns them and its
  // host_update() takes one as the value (where the kernel takes a prog fd),
  // so a program of one object can go into another object's prog array.
  uint32_t program_id(const std::string& name) const;
  // A map's id (0: no such map, or not created), unique in the process like
  // the kernel's map IDs: what a map of maps' host_update() takes as the
  // value (where the kernel takes a map fd) and its host_lookup() returns.
  // Runtime::map_by_id() gives the map back.
  uint32_t map_id(const std::string& name) const;
  // Puts `program` (of this object) into slot `index` of prog array `map`
  // (of this object), as host_update() with the program's id would. The
  // array keeps the program alive, even after this object is gone.
  Status prog_array_set(const std::string& map, uint32_t index, const std::string& program) const;
  // A consumer of ringbuf map `map` (libbpf's ring_buffer__new on its fd;
  // add() more rings to it), and a producer into user ringbuf map `map`
  // (user_ring_buffer__new). EINVAL naming the map when the object has no
  // such map or it is of another type. Both must not outlive this object.
  // ringb/ringbuf.h, docs/ringbuf.md.
  Expected<std::unique_ptr<maps::RingBufferConsumer>> ring_buffer(const std::string& map,
                                                                  maps::RingBufferConsumer::Callback cb,
                                                                  void* ctx) const;
  Expected<std::unique_ptr<maps::UserRingBufferProducer>> user_ring_buffer(const std::string& map) const;

  // BPF_PROG_TEST_RUN: builds the context for the program's type (an
  // __sk_buff or xdp_md around data_in, or ctx_in), runs it `repeat` times.
  Expected<TestRunResult> test_run(const std::string& program, const TestRunOptions& opts) const;

  // Empties this object's prog arrays first (as the kernel does when the
  // last user reference to a prog array goes), so programs and prog arrays
  // that hold each other do not keep each other alive.
  ~LoadedObject();

 private:
  friend class Runtime;
  LoadedObject() = default;
  Status fill_prog_arrays();
  Status fill_maps_of_maps();
  std::shared_ptr<api::ProgramHandle> handle_of(const std::string& program) const;
  Object obj_;
  std::vector<std::string> unverified_;
  std::shared_ptr<api::MapSet> maps_;                      // shared with the programs
  std::vector<std::shared_ptr<api::ProgramHandle>> progs_;  // parallel to obj_.programs
  uint32_t jiffies_hz_ = 250;
};

// The test annotations of a program (REFERENCE §5), read from BTF decl tags
// as the kernel's selftest loader reads them (bpf_misc.h's macros).
struct TestAnnotations {
  bool has_retval = false;  // __retval: run it (privileged), expect `retval`
  ExpectedRetval retval;
  bool has_retval_unpriv = false;  // __retval_unpriv: the unprivileged run's value
  ExpectedRetval retval_unpriv;
  bool expect_failure = false;  // __failure
  bool expect_success = false;  // __success
  bool expect_failure_unpriv = false;  // __failure_unpriv
  bool expect_success_unpriv = false;  // __success_unpriv
  // __auxiliary: not a test itself, but loaded with every test of its
  // object (a tail-call target, say).
  bool auxiliary = false;
  std::vector<std::string> messages;  // __msg
  std::string description;
  // Annotations whose value ringb cannot read ("test_retval=foo"): the test
  // fails with them, as the kernel's loader does.
  std::vector<std::string> malformed;
};
TestAnnotations annotations_of(const Object& obj, const Program& prog);

}  // namespace ringb
