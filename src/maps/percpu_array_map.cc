// percpu_array_map.cc — BPF_MAP_TYPE_PERCPU_ARRAY: one value per index and
// cpu, laid out cpu-major (cpu c's values are contiguous, so cpus do not share
// cache lines). A program reads and writes its own cpu's copy in place; the
// host copies all of them, round_up(value_size, 8) apart.
#include "array_map.h"
#include "flags.h"
#include "map_types.h"
#include "ringb/cpu.h"
#include "value_copy.h"

namespace ringb::maps::detail {
namespace {

class PercpuArrayMap final : public ArrayBase {
 public:
  explicit PercpuArrayMap(const MapDef& def) : ArrayBase(def, true), nr_cpus_(cpu::nr_cpus()) {}

  Status init(const Options& options) {
    return ArrayBase::init(uint64_t{def_.max_entries} * nr_cpus_, options);
  }

  void* lookup_elem(const void* key) override {
    const int cpu = cpu::current();
    const int64_t i = index_of(key);
    return i < 0 || cpu < 0 ? nullptr : value(static_cast<unsigned>(cpu), i);
  }

  long update_elem(const void* key, const void* value_in, uint64_t flags) override {
    const int cpu = cpu::current();
    const int64_t i = index_of(key);
    if (long err = check_update(i, flags)) return err;
    if (cpu < 0) return -EBUSY;
    char* val = value(static_cast<unsigned>(cpu), i);
    copy_value_to_map(val, value_in, def_.value_size, holes_);
    free_old_fields(val);
    return 0;
  }

  void* lookup_percpu_elem(const void* key, uint32_t cpu) override {
    const int64_t i = index_of(key);
    return i < 0 || cpu >= nr_cpus_ ? nullptr : value(cpu, i);
  }

  long for_each_elem(ElemCallback fn, void* ctx) override {
    const int cpu = cpu::current();
    if (cpu < 0) return -EBUSY;
    long calls = 0;
    for (uint32_t i = 0; i < def_.max_entries; ++i) {
      ++calls;
      if (fn(&i, value(static_cast<unsigned>(cpu), i), ctx)) break;
    }
    return calls;
  }

 protected:
  long do_host_lookup(const void* key, void* value_out, int) override {
    const int64_t i = index_of(key);
    if (i < 0) return -ENOENT;
    for (unsigned c = 0; c < nr_cpus_; ++c)
      copy_value_from_map(static_cast<char*>(value_out) + c * elem_size_, value(c, i), elem_size_, holes_);
    return 0;
  }

  // bpf_percpu_array_update(): every cpu's copy from the buffer.
  long do_host_update(const void* key, const void* value_in, uint64_t flags, int) override {
    const int64_t i = index_of(key);
    if (flags > kExist) return -EINVAL;
    if (long err = check_update(i, flags)) return err;
    for (unsigned c = 0; c < nr_cpus_; ++c) {
      copy_value_to_map(value(c, i), static_cast<const char*>(value_in) + c * elem_size_, elem_size_, holes_);
      free_old_fields(value(c, i));
    }
    return 0;
  }

 private:
  char* value(unsigned cpu, int64_t i) const {
    return slot(uint64_t{cpu} * def_.max_entries + static_cast<uint64_t>(i));
  }

  const unsigned nr_cpus_;
};

}  // namespace

MapResult create_percpu_array_map(const MapDef& def, const Options& options) {
  if (Status s = ArrayBase::check_def(def, true); !s) return s.error();
  auto map = std::make_unique<PercpuArrayMap>(def);
  if (Status s = map->init(options); !s) return s.error();
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace ringb::maps::detail
