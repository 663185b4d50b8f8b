// test_run.cc — LoadedObject::test_run, after the kernel's BPF_PROG_TEST_RUN:
// the context of each program type is built by test_contexts.cc.
// `repeat` runs, each inside a cpu slot and an RCU read-side section; the
// duration reported is the mean per run.
#include <linux/bpf.h>
#include <time.h>

#include <algorithm>
#include <cstring>

#include "run_storages.h"
#include "test_contexts.h"
#include "ringb/cpu.h"
#include "ringb/rcu.h"
#include "ringb/runtime.h"

namespace ringb {
namespace {

constexpr size_t kMaxPacket = 64 * 1024;

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

Expected<TestRunResult> LoadedObject::test_run(const std::string& name,
                                               const TestRunOptions& o) const {
  const vm::Executable* exe = program(name);
  if (!exe)
    return Error{ENOENT, obj_.name + ": " + (obj_.find_program(name) ? "program '" + name + "' is not loaded"
                                                                      : "no program named '" + name + "'")};
  const Program& prog = exe->program();
  if (o.repeat == 0) return Error{EINVAL, "repeat must be at least 1"};
  if (o.data_in.size() > kMaxPacket) return Error{E2BIG, "data_in is larger than 64 KiB"};

  if (prog.type == ProgType::Unspec)
    return Error{EINVAL, "program '" + name + "' is in section '" + prog.section +
                             "', which names no program type ringb knows"};
  auto built = api::TestContext::build(prog.type, o);
  if (!built) return Error{built.error().code, "test run of '" + name + "': " + built.error().message};
  api::TestContext& c = **built;
  auto storages = api::RunStorages::make(prog, *maps_, o.cgroup_storage_id);
  if (!storages) return Error{storages.error().code, "test run of '" + name + "': " + storages.error().message};

  vm::RunOptions ro;
  ro.count_insns = o.count_insns;
  ro.insn_budget = o.insn_budget;
  ro.jiffies_hz = jiffies_hz_;
  ro.trace = o.trace;
  TestRunResult r;
  const rcu::Domain domain = prog.sleepable ? rcu::Domain::TasksTrace : rcu::Domain::Rcu;
  uint64_t total_ns = 0;
  uint64_t retval = 0;
  {
    cpu::CpuGuard guard;
    vm::RunState rs;
    rs.cpu = guard.cpu();
    rs.options = &ro;
    // The context is memory fault-tolerant loads may read directly.
    rs.known_lo = c.lo();
    rs.known_hi = c.hi();
    (*storages)->bind(rs);
    // One read-side section per batch of runs, as the kernel's test timer
    // does, so that a long repeat does not hold grace periods up for good.
    constexpr uint32_t kBatch = 256;
    const uint64_t start = now_ns();
    for (uint32_t done = 0; done < o.repeat;) {
      rcu::ReadGuard rcu(domain);
      for (uint32_t end = std::min(o.repeat, done + kBatch); done < end && !rs.error; ++done)
{
        retval = exe->run(c.ctx(), rs);
        c.after_run();
      }
      if (rs.error) break;
    }
    // A run that stopped on an error has no result: say why, never a retval.
    if (rs.error) {
      const vm::Executable* at = rs.error_prog ? rs.error_prog : exe;
      std::string where = "program '" + at->program().name + "'";
      if (rs.error_insn >= 0) where += ", instruction " + std::to_string(rs.error_insn);
      return Error{rs.error_code ? rs.error_code : EFAULT,
                   "test run of '" + name + "' stopped: " + where + ": " + rs.error};
    }
    total_ns = now_ns() - start;
    r.insns = rs.insns;
  }
  r.retval = static_cast<uint32_t>(retval);
  r.duration_ns = total_ns / o.repeat;
  c.results(o, r);
  return r;
}

}  // namespace ringb
