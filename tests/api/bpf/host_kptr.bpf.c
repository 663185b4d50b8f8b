/* host_kptr.bpf.c — a kernel-side kptr type the host supplies (seed 001's
 * model in user space; tests/api/host_kptr_test.cc): programs get a
 * struct host_conn from the host's KF_ACQUIRE kfunc, stash it in a map with
 * bpf_kptr_xchg, read it under RCU, and give it back through KF_RELEASE. */
#include "ringb_test.h"
#include "bpf_objects.h"

struct host_conn {
  __u32 id;
};

extern struct host_conn *host_conn_acquire(__u32 id) __ksym;
extern void host_conn_release(struct host_conn *c) __ksym;
extern __u32 host_conn_id(const struct host_conn *c) __ksym;

struct slot {
  struct host_conn __kptr *conn;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, int);
  __type(value, struct slot);
} conns SEC(".maps");

struct args {
  int slot;
  __u32 id;
};

/* A new connection into the slot; the old one released. */
SEC("syscall") int stash(struct args *a) {
  struct slot *s = bpf_map_lookup_elem(&conns, &a->slot);
  struct host_conn *c, *old;
  if (!s) return -1;
  c = host_conn_acquire(a->id);
  if (!c) return -12;
  old = bpf_kptr_xchg(&s->conn, c);
  if (old) host_conn_release(old);
  return 0;
}

/* The stashed connection's id, read under RCU without taking it out. */
SEC("syscall") int peek(struct args *a) {
  struct slot *s = bpf_map_lookup_elem(&conns, &a->slot);
  struct host_conn *c;
  int id = -2;
  if (!s) return -1;
  bpf_rcu_read_lock();
  c = s->conn;
  if (c) id = host_conn_id(c);
  bpf_rcu_read_unlock();
  return id;
}

/* Takes the connection out and releases it: 1, or 0 when there was none. */
SEC("syscall") int take(struct args *a) {
  struct slot *s = bpf_map_lookup_elem(&conns, &a->slot);
  struct host_conn *c;
  if (!s) return -1;
  c = bpf_kptr_xchg(&s->conn, 0);
  if (!c) return 0;
  host_conn_release(c);
  return 1;
}
