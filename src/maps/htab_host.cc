// htab_host.cc — walking and reading the hash table without the bucket lock:
// the host's BPF_MAP_LOOKUP_ELEM and BPF_MAP_GET_NEXT_KEY, and the program's
// bpf_for_each_map_elem(). All run inside an RCU section (the host command's
// or the program's). Host copies are checked against the element's sequence
// count, so a key or value recycled under the copy is never returned torn
// (the lookup then starts over).
#include "htab.h"
#include "ringb/cpu.h"
#include "value_copy.h"

namespace ringb::maps::detail {

void Htab::copy_value_out(HtabElem* e, void* out) const {
  if (!percpu_) {
    copy_value_from_map(out, value_of(e), value_bytes_, holes_);
    return;
  }
  // Every cpu's copy, round_up(value_size, 8) apart, as bpf_long_memcpy does.
  for (unsigned c = 0; c < nr_cpus_; ++c)
    copy_value_from_map(static_cast<char*>(out) + c * value_rounded_, percpu_value(e, c), value_rounded_, holes_);
}

long Htab::do_host_lookup(const void* key, void* value_out, int) {
  const uint32_t hash = hash_of(key);
  for (;;) {
    HtabElem* e = lookup_raw(key, hash);
    if (!e) return -ENOENT;
    const uint32_t s = seq_read_begin(e);
    if (e->hash.load(std::memory_order_acquire) == hash &&
        map_key_equal(e->key(), key, def_.key_size)) {
      copy_value_out(e, value_out);
      if (!seq_read_retry(e, s)) return 0;
    }
    // Recycled for another key while we looked: look again.
  }
}

namespace {

// The element's key, untorn. (It may be a newer key than the one the walk
// found, if the element was recycled meanwhile: iteration under concurrent
// updates is approximate in the kernel too.)
void copy_key_stable(const HtabElem* e, void* out, uint32_t key_size) {
  for (;;) {
    const uint32_t s = seq_read_begin(e);
    copy_from_map(out, e->key(), key_size);
    if (!seq_read_retry(e, s)) return;
  }
}

}  // namespace

// htab_map_get_next_key(): the element after `key` in its chain, else the
// first element of the next non-empty bucket; a missing key restarts from
// bucket 0.
long Htab::do_host_get_next_key(const void* key, void* next_key) {
  uint32_t i = 0;
  if (key) {
    const uint32_t hash = hash_of(key);
    if (HtabElem* e = lookup_raw(key, hash)) {
      const uintptr_t next = e->next.load(std::memory_order_acquire);
      if (!is_nulls(next)) {
        copy_key_stable(link_elem(next), next_key, def_.key_size);
        return 0;
      }
      i = (hash & (n_buckets_ - 1)) + 1;
    }
  }
  for (; i < n_buckets_; ++i) {
    const uintptr_t head = buckets_[i].head.load(std::memory_order_acquire);
    if (!is_nulls(head)) {
      copy_key_stable(link_elem(head), next_key, def_.key_size);
      return 0;
    }
  }
  return -ENOENT;
}

// bpf_for_each_hash_elem(): bucket by bucket, each element's key and value
// (a per-cpu map: this cpu's copy) until fn returns nonzero; the number of
// calls. The next link is read before the call, so fn may delete the element
// it is given.
long Htab::for_each_elem(ElemCallback fn, void* ctx) {
  const int cpu = cpu::current();
  if (percpu_ && cpu < 0) return -EBUSY;
  long calls = 0;
  for (uint32_t i = 0; i < n_buckets_; ++i) {
    uintptr_t link = buckets_[i].head.load(std::memory_order_acquire);
    while (!is_nulls(link)) {
      HtabElem* e = link_elem(link);
      link = e->next.load(std::memory_order_acquire);
      void* value = percpu_ ? percpu_value(e, static_cast<unsigned>(cpu)) : value_of(e);
      ++calls;
      if (fn(e->key(), value, ctx)) return calls;
    }
  }
  return calls;
}

}  // namespace ringb::maps::detail
