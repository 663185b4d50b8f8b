// cpumask_kfuncs.cc — the bpf_cpumask kfuncs (ringb/cpumask.h) as the vm
// calls them: register arguments in, the kernel's argument order.
#include "object_kfuncs.h"
#include "ringb/cpumask.h"

namespace ringb::vm {
namespace {

using obj::bpf_cpumask;
using obj::cpumask;

bpf_cpumask* bm(uint64_t v) { return reinterpret_cast<bpf_cpumask*>(v); }
const cpumask* cm(uint64_t v) { return reinterpret_cast<const cpumask*>(v); }
uint32_t cpu_arg(uint64_t v) { return static_cast<uint32_t>(v); }

#define RINGB_KF(name)                                                                   \
  uint64_t name(RunState&, [[maybe_unused]] uint64_t a, [[maybe_unused]] uint64_t b, \
                [[maybe_unused]] uint64_t c, uint64_t, uint64_t)

RINGB_KF(create) { return reinterpret_cast<uint64_t>(obj::bpf_cpumask_create()); }
RINGB_KF(acquire) { return reinterpret_cast<uint64_t>(obj::bpf_cpumask_acquire(bm(a))); }
RINGB_KF(release) { obj::bpf_cpumask_release(bm(a)); return 0; }
RINGB_KF(release_dtor) { obj::bpf_cpumask_release_dtor(bm(a)); return 0; }
RINGB_KF(first) { return obj::bpf_cpumask_first(cm(a)); }
RINGB_KF(first_zero) { return obj::bpf_cpumask_first_zero(cm(a)); }
RINGB_KF(first_and) { return obj::bpf_cpumask_first_and(cm(a), cm(b)); }
RINGB_KF(set_cpu) { obj::bpf_cpumask_set_cpu(cpu_arg(a), bm(b)); return 0; }
RINGB_KF(clear_cpu) { obj::bpf_cpumask_clear_cpu(cpu_arg(a), bm(b)); return 0; }
RINGB_KF(test_cpu) { return obj::bpf_cpumask_test_cpu(cpu_arg(a), cm(b)); }
RINGB_KF(test_and_set_cpu) { return obj::bpf_cpumask_test_and_set_cpu(cpu_arg(a), bm(b)); }
RINGB_KF(test_and_clear_cpu) { return obj::bpf_cpumask_test_and_clear_cpu(cpu_arg(a), bm(b)); }
RINGB_KF(setall) { obj::bpf_cpumask_setall(bm(a)); return 0; }
RINGB_KF(clear) { obj::bpf_cpumask_clear(bm(a)); return 0; }
RINGB_KF(and_) { return obj::bpf_cpumask_and(bm(a), cm(b), cm(c)); }
RINGB_KF(or_) { obj::bpf_cpumask_or(bm(a), cm(b), cm(c)); return 0; }
RINGB_KF(xor_) { obj::bpf_cpumask_xor(bm(a), cm(b), cm(c)); return 0; }
RINGB_KF(equal) { return obj::bpf_cpumask_equal(cm(a), cm(b)); }
RINGB_KF(intersects) { return obj::bpf_cpumask_intersects(cm(a), cm(b)); }
RINGB_KF(subset) { return obj::bpf_cpumask_subset(cm(a), cm(b)); }
RINGB_KF(empty) { return obj::bpf_cpumask_empty(cm(a)); }
RINGB_KF(full) { return obj::bpf_cpumask_full(cm(a)); }
RINGB_KF(copy) { obj::bpf_cpumask_copy(bm(a), cm(b)); return 0; }
RINGB_KF(any_distribute) { return obj::bpf_cpumask_any_distribute(cm(a)); }
RINGB_KF(any_and_distribute) { return obj::bpf_cpumask_any_and_distribute(cm(a), cm(b)); }
RINGB_KF(weight) { return obj::bpf_cpumask_weight(cm(a)); }
RINGB_KF(populate) {
  return static_cast<uint64_t>(static_cast<int64_t>(
      obj::bpf_cpumask_populate(const_cast<cpumask*>(cm(a)), reinterpret_cast<void*>(b), static_cast<size_t>(c))));
}

#undef RINGB_KF

}  // namespace

const std::map<std::string, Function>& cpumask_kfuncs() {
  static const std::map<std::string, Function> fns = {
      {"bpf_cpumask_create", create},
      {"bpf_cpumask_acquire", acquire},
      {"bpf_cpumask_release", release},
      {"bpf_cpumask_release_dtor", release_dtor},
      {"bpf_cpumask_first", first},
      {"bpf_cpumask_first_zero", first_zero},
      {"bpf_cpumask_first_and", first_and},
      {"bpf_cpumask_set_cpu", set_cpu},
      {"bpf_cpumask_clear_cpu", clear_cpu},
      {"bpf_cpumask_test_cpu", test_cpu},
      {"bpf_cpumask_test_and_set_cpu", test_and_set_cpu},
      {"bpf_cpumask_test_and_clear_cpu", test_and_clear_cpu},
      {"bpf_cpumask_setall", setall},
      {"bpf_cpumask_clear", clear},
      {"bpf_cpumask_and", and_},
      {"bpf_cpumask_or", or_},
      {"bpf_cpumask_xor", xor_},
      {"bpf_cpumask_equal", equal},
      {"bpf_cpumask_intersects", intersects},
      {"bpf_cpumask_subset", subset},
      {"bpf_cpumask_empty", empty},
      {"bpf_cpumask_full", full},
      {"bpf_cpumask_copy", copy},
      {"bpf_cpumask_any_distribute", any_distribute},
      {"bpf_cpumask_any_and_distribute", any_and_distribute},
      {"bpf_cpumask_weight", weight},
      {"bpf_cpumask_populate", populate},
  };
  return fns;
}

}  // namespace ringb::vm
