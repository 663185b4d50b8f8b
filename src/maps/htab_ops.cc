// htab_ops.cc — the hash table's lookups, updates and deletes (program and
// host side share them; see htab.h for the locking and memory rules).
#include "cpu_scope.h"
#include "htab.h"
#include "htab_hash.h"
#include "ringb/objects.h"
#include "value_copy.h"

namespace ringb::maps::detail {

uint32_t Htab::hash_of(const void* key) const { return htab_hash(key, def_.key_size, hashrnd_); }

// lookup_nulls_elem_raw(): no lock; restarts when the walk ended in another
// bucket's chain (an element it passed was recycled into that bucket).
HtabElem* Htab::lookup_raw(const void* key, uint32_t hash) const {
  const uint32_t index = hash & (n_buckets_ - 1);
  const Bucket& b = buckets_[index];
  for (;;) {
    uintptr_t link = b.head.load(std::memory_order_acquire);
    while (!is_nulls(link)) {
      HtabElem* e = link_elem(link);
      if (e->hash.load(std::memory_order_acquire) == hash && map_key_equal(e->key(), key, def_.key_size))
        return e;
      link = e->next.load(std::memory_order_acquire);
    }
    if (nulls_value(link) == index) return nullptr;
  }
}

// Under the bucket lock: the element with this key and the link that points
// at it (the bucket head or the previous element's next).
HtabElem* Htab::find_locked(Bucket& b, const void* key, uint32_t hash,
                            std::atomic<uintptr_t>** link_to_it) const {
  std::atomic<uintptr_t>* link = &b.head;
  for (uintptr_t l = link->load(std::memory_order_relaxed); !is_nulls(l);) {
    HtabElem* e = link_elem(l);
    if (e->hash.load(std::memory_order_acquire) == hash && map_key_equal(e->key(), key, def_.key_size)) {
      *link_to_it = link;
      return e;
    }
    link = &e->next;
    l = link->load(std::memory_order_relaxed);
  }
  return nullptr;
}

// An element filled in with key and value, linked nowhere yet; nullptr when
// none is left (the free list is empty, or the allocator has no memory).
// Out of line: inlined into update(), GCC 12's code for the allocated path
// ran about 20% slower in `ringb bench` (ops_dynamic), same instruction count.
[[gnu::noinline]] HtabElem* Htab::new_elem(int cpu, const void* key, uint32_t hash, const void* value, bool all_cpus) {
  HtabElem* e = alloc_elem(cpu);
  if (!e) return nullptr;
  fill_elem(e, cpu, key, hash, value, all_cpus);
  return e;
}

// Key and value into an element no chain links to (readers may still stand
// on it, from before it was unlinked: the seq section tells host copies).
void Htab::fill_elem(HtabElem* e, int cpu, const void* key, uint32_t hash, const void* value,
                     bool all_cpus) {
  const uint32_t s = seq_write_begin(e);
  e->hash.store(hash, std::memory_order_release);
  copy_to_map(e->key(), key, def_.key_size);
  if (percpu_) {
    write_percpu_value(e, cpu, value, all_cpus, true);
  } else {
    copy_value_to_map(value_of(e), value, value_bytes_, holes_);
    prepare_value_fields(value_of(e));
  }
  seq_write_end(e, s);
}

// pcpu_copy_value()/pcpu_init_value(): from the host every cpu's copy comes
// from the buffer (round_up(value_size, 8) apart); from a program only this
// cpu's, and a fresh element's other copies are zeroed so that the program
// knows what they hold.
//
// Special fields: copies and zeroing skip them; a fresh element's copies get
// prepared fields (prepare_value_fields); an element overwritten in place
// frees what the fields of each copy written still hold (the kernel's
// pcpu_copy_value, since Linux 6.18), under the bucket lock as there —
// per-cpu values hold no locks or graphs, only kptrs, whose exchange is
// atomic.
void Htab::write_percpu_value(HtabElem* e, int cpu, const void* value, bool all_cpus, bool fresh) {
  for (unsigned c = 0; c < nr_cpus_; ++c) {
    char* v = percpu_value(e, c);
    const bool written = all_cpus || c == static_cast<unsigned>(cpu);
    if (all_cpus)
      copy_value_to_map(v, static_cast<const char*>(value) + c * value_rounded_, value_rounded_, holes_);
    else if (written)
      copy_value_to_map(v, value, def_.value_size, holes_);
    else if (fresh)
      zero_value_in_map(v, value_rounded_, holes_);
    if (fresh)
      prepare_value_fields(v);
    else if (written && frees_fields())
      obj::free_fields(*record_, v);
  }
}

// check_flags() of the kernel's htab_map_update_elem().
long Htab::check_flags(const HtabElem* old, uint64_t flags) {
  if (old && flags == kNoExist) return -EEXIST;
  if (!old && flags == kExist) return -ENOENT;
  return 0;
}

long Htab::update_elem(const void* key, const void* value, uint64_t flags) {
  CpuScope scope;
  if (scope.cpu() < 0) return -EBUSY;
  return update(scope.cpu(), key, value, flags, false);
}

long Htab::do_host_update(const void* key, const void* value, uint64_t flags, int cpu) {
  return update(cpu, key, value, flags, true);
}

long Htab::update(int cpu, const void* key, const void* value, uint64_t flags, bool all_cpus) {
  if (flags & kFLock) {
    // BPF_F_LOCK: an existing element's value is copied in place under its
    // bpf_spin_lock; a missing one is inserted as usual.
    if (percpu_ || def_.spin_lock_off < 0 || (flags & ~kFLock) > kExist) return -EINVAL;
    flags &= ~kFLock;
    if (flags != kNoExist) {
      if (HtabElem* e = lookup_raw(key, hash_of(key))) {
        copy_locked(value_of(e), value);
        return 0;
      }
      if (flags == kExist) return -ENOENT;
    }
  }
  if (flags > kExist) return -EINVAL;
  const uint32_t hash = hash_of(key);
  Bucket& b = buckets_[hash & (n_buckets_ - 1)];
  const uint32_t tag = lock_tag(cpu);
  // A plain hash needs a new element to insert and to replace alike.
  // Allocated: build it before taking the lock (unless the map is full: then
  // find out first whether this is a replace). Preallocated: under the lock,
  // from the free list or this cpu's spare (below). A per-cpu hash needs one
  // only to insert.
  const bool spare_swap = !percpu_ && prealloc_;
  HtabElem* fresh = nullptr;
  if (!percpu_ && !prealloc_ && !count_->full()) {
    fresh = new_elem(cpu, key, hash, value, all_cpus);
    if (!fresh) return no_elem_error(cpu, b, key, hash, flags);
  }
  for (;;) {
    if (int err = b.lock.lock(tag)) {
      if (fresh) free_unused_elem(cpu, fresh);
      return err;
    }
    std::atomic<uintptr_t>* link_to_old = nullptr;
    HtabElem* old = find_locked(b, key, hash, &link_to_old);
    long err = check_flags(old, flags);
    if (!err && old && percpu_) write_percpu_value(old, cpu, value, all_cpus, false);
    if (err || (old && percpu_)) {
      b.lock.unlock();
      if (fresh) free_unused_elem(cpu, fresh);
      return err;
    }
    if (spare_swap) {
      // alloc_htab_elem(): a replace uses this cpu's spare and leaves the old
      // element in its place; an insert takes one off the free list, which
      // holds max_entries minus the elements in the table.
      fresh = old ? take_spare(cpu) : alloc_elem(cpu);
      if (!fresh) {
        b.lock.unlock();
        return -E2BIG;
      }
      fill_elem(fresh, cpu, key, hash, value, all_cpus);
    }
    if (!fresh) {
      // (Preallocated: the free list decides, in new_elem.)
      const bool full = !old && !prealloc_ && count_->full();
      b.lock.unlock();
      if (full) return -E2BIG;
      // Build it outside the lock, then look again: another thread may have
      // inserted or deleted the key meanwhile.
      fresh = new_elem(cpu, key, hash, value, all_cpus);
      if (!fresh) return no_elem_error(cpu, b, key, hash, flags);
      continue;
    }
    // An insert counts. Preallocated, the free list was the limit (it had an
    // element for this one); allocated, the count is.
    if (!old && prealloc_) {
      count_->inc(cpu);
    } else if (!old && !count_->try_inc(cpu)) {
      b.lock.unlock();
      free_unused_elem(cpu, fresh);
      return -E2BIG;
    }
    // Link the new element first, then unlink the old one: a reader walking
    // the chain meets at least one of them.
    fresh->next.store(b.head.load(std::memory_order_relaxed), std::memory_order_relaxed);
    b.head.store(elem_link(fresh), std::memory_order_release);
    if (old) {
      if (link_to_old == &b.head) link_to_old = &fresh->next;
      link_to_old->store(old->next.load(std::memory_order_relaxed), std::memory_order_release);
    }
    b.lock.unlock();
    if (old) free_value_fields(old);
    if (old && spare_swap)
      park_replaced(cpu, old);
    else if (old)
      free_elem(cpu, old);
    return 0;
  }
}

// No element could be had: what the kernel would have said. Flags that fail
// take precedence (it checks them first); a preallocated map whose free list
// ran out says -E2BIG, as does an insert into a full map; anything else is
// the allocator failing: -ENOMEM.
long Htab::no_elem_error(int cpu, Bucket& b, const void* key, uint32_t hash, uint64_t flags) {
  if (int err = b.lock.lock(lock_tag(cpu))) return err;
  std::atomic<uintptr_t>* unused;
  const HtabElem* old = find_locked(b, key, hash, &unused);
  b.lock.unlock();
  if (long err = check_flags(old, flags)) return err;
  if (prealloc_ || (!old && count_->full())) return -E2BIG;
  return -ENOMEM;
}

long Htab::delete_elem(const void* key) {
  CpuScope scope;
  if (scope.cpu() < 0) return -EBUSY;
  return remove(scope.cpu(), key, nullptr);
}

long Htab::do_host_delete(const void* key, int cpu) { return remove(cpu, key, nullptr); }

long Htab::do_host_lookup_and_delete(const void* key, void* value_out, uint64_t flags, int cpu) {
  // BPF_F_LOCK is the only flag: copy under the value's bpf_spin_lock.
  if ((flags & ~kFLock) || ((flags & kFLock) && (percpu_ || def_.spin_lock_off < 0))) return -EINVAL;
  return remove(cpu, key, value_out, flags & kFLock);
}

// htab_map_delete_elem(), and with value_out the lookup-and-delete that copies
// the value under the bucket lock first (and under its spin lock, `locked`).
long Htab::remove(int cpu, const void* key, void* value_out, bool locked) {
  const uint32_t hash = hash_of(key);
  Bucket& b = buckets_[hash & (n_buckets_ - 1)];
  if (int err = b.lock.lock(lock_tag(cpu))) return err;
  std::atomic<uintptr_t>* link_to_it = nullptr;
  HtabElem* e = find_locked(b, key, hash, &link_to_it);
  if (!e) {
    b.lock.unlock();
    return -ENOENT;
  }
  if (value_out && locked) {
    char* lock = value_of(e) + def_.spin_lock_off;
    value_lock(lock);
    copy_value_out(e, value_out);
    value_unlock(lock);
  } else if (value_out) {
    copy_value_out(e, value_out);
  }
  link_to_it->store(e->next.load(std::memory_order_relaxed), std::memory_order_release);
  count_->dec(cpu);
  b.lock.unlock();
  free_value_fields(e);
  free_elem(cpu, e);
  return 0;
}

}  // namespace ringb::maps::detail
