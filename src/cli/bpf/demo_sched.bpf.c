/* demo_sched.bpf.c — the program `ringb demo` runs: a toy fair scheduler in
 * the manner of sched_ext schedulers. Each cpu has a run queue, an rbtree of
 * task objects ordered by vruntime under a spin lock; each task group has a
 * bpf_cpumask kptr in a map saying which cpus may run it.
 *
 *   setup      creates a group's cpumask and stashes it (kptr_xchg)
 *   enqueue    a new task object into a cpu's run queue (obj_new + rbtree_add)
 *   dispatch   takes the cpu's first task (first + remove); if the group's
 *              mask (read under RCU) allows this cpu it "runs": its vruntime
 *              grows and it goes back in the queue; otherwise it migrates to
 *              the group's first allowed cpu
 *   drain      empties a run queue (what is left at the end)
 *   tick       the timer interrupt: a fresh event object replaces the cpu's
 *              last one (kptr_xchg), no locks — what a program run from a
 *              signal handler (the user-space NMI) may do
 * SEC("syscall") programs, so the kernel runs them too (the cpumask kfuncs
 * are not allowed in tc programs); the context says which cpu and task. */
#include "ringb_test.h"
#include "bpf_objects.h"

#define MAX_CPUS 64
#define GROUPS 8

struct task {
  __u64 vruntime;
  __u32 pid, group;
  struct bpf_rb_node node;
};

struct runq {
  struct bpf_spin_lock lock;
  struct bpf_rb_root tasks __contains(task, node);
  __u64 nr_running, dispatched, migrated;
};

struct group {
  struct bpf_cpumask __kptr *allowed;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, MAX_CPUS);
  __type(key, __u32);
  __type(value, struct runq);
} runqs SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, GROUPS);
  __type(key, __u32);
  __type(value, struct group);
} groups SEC(".maps");

struct event {
  __u64 at, seq;
};

struct tick_slot {
  struct event __kptr *last;
  __u64 ticks;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, MAX_CPUS);
  __type(key, __u32);
  __type(value, struct tick_slot);
} ticks SEC(".maps");

struct sched_ctx {
  __u32 cpu, nr_cpus;
  __u32 pid, group;
  __u64 vruntime;
};

static _Bool before(struct bpf_rb_node *a, const struct bpf_rb_node *b) {
  return container_of(a, struct task, node)->vruntime < container_of(b, struct task, node)->vruntime;
}

static int queue(__u32 cpu, struct task *t) {
  struct runq *rq = bpf_map_lookup_elem(&runqs, &cpu);
  if (!rq) {
    bpf_obj_drop(t);
    return -1;
  }
  bpf_spin_lock(&rq->lock);
  bpf_rbtree_add(&rq->tasks, &t->node, before);
  rq->nr_running++;
  bpf_spin_unlock(&rq->lock);
  return 0;
}

/* Gives group ctx->group its mask: the cpus c with c % (group + 1) == 0
 * (every cpu for group 0). The host calls it once per group. */
SEC("syscall") __retval(1)
int setup(struct sched_ctx *ctx) {
  __u32 g = ctx->group % GROUPS, stride = g + 1;
  struct group *grp = bpf_map_lookup_elem(&groups, &g);
  struct bpf_cpumask *m, *old;
  if (!grp) return -1;
  m = bpf_cpumask_create();
  if (!m) return -2;
  for (__u32 c = 0; c < MAX_CPUS && c < ctx->nr_cpus; c += stride)
    bpf_cpumask_set_cpu(c, m);
  old = bpf_kptr_xchg(&grp->allowed, m);
  if (old) bpf_cpumask_release(old);
  return 1;
}

SEC("syscall") __retval(0)
int enqueue(struct sched_ctx *ctx) {
  struct task *t = bpf_obj_new(struct task);
  if (!t) return -12;
  t->pid = ctx->pid;
  t->group = ctx->group % GROUPS;
  t->vruntime = ctx->vruntime;
  return queue(ctx->cpu, t);
}

/* Returns the pid that ran (or migrated), 0 when the queue was empty. */
SEC("syscall") __retval(0)
int dispatch(struct sched_ctx *ctx) {
  __u32 cpu = ctx->cpu, target;
  struct runq *rq = bpf_map_lookup_elem(&runqs, &cpu);
  struct bpf_rb_node *n;
  struct group *grp;
  struct task *t;
  _Bool allowed = 1;
  if (!rq) return -1;
  bpf_spin_lock(&rq->lock);
  n = bpf_rbtree_first(&rq->tasks);
  if (n) n = bpf_rbtree_remove(&rq->tasks, n);
  if (n) rq->nr_running--;
  bpf_spin_unlock(&rq->lock);
  if (!n) return 0;
  t = container_of(n, struct task, node);
  target = cpu;
  __u32 gid = t->group;  /* map keys come from the stack, not from objects */
  grp = bpf_map_lookup_elem(&groups, &gid);
  if (grp) {
    bpf_rcu_read_lock();
    struct bpf_cpumask *m = grp->allowed;
    if (m) {
      allowed = bpf_cpumask_test_cpu(cpu, ringb_cast_cpumask(m));
      if (!allowed) target = bpf_cpumask_first(ringb_cast_cpumask(m));
    }
    bpf_rcu_read_unlock();
  }
  __u32 pid = t->pid;
  if (allowed) {
    t->vruntime += 1000 + pid % 7 * 100;  /* it ran a slice */
    __sync_fetch_and_add(&rq->dispatched, 1);
  } else {
    __sync_fetch_and_add(&rq->migrated, 1);
  }
  if (queue(target, t)) return -2;
  return pid;
}

/* Empties cpu's run queue; returns how many tasks it held. */
SEC("syscall") __retval(0)
int drain(struct sched_ctx *ctx) {
  __u32 cpu = ctx->cpu;
  struct runq *rq = bpf_map_lookup_elem(&runqs, &cpu);
  int n = 0;
  if (!rq) return -1;
  for (int i = 0; i < 4096; i++) {
    struct bpf_rb_node *r;
    bpf_spin_lock(&rq->lock);
    r = bpf_rbtree_first(&rq->tasks);
    if (r) r = bpf_rbtree_remove(&rq->tasks, r);
    if (r) rq->nr_running--;
    bpf_spin_unlock(&rq->lock);
    if (!r) break;
    bpf_obj_drop(container_of(r, struct task, node));
    n++;
  }
  return n;
}

SEC("syscall") __retval(0)
int tick(struct sched_ctx *ctx) {
  __u32 cpu = ctx->cpu;
  struct tick_slot *s = bpf_map_lookup_elem(&ticks, &cpu);
  struct event *e, *old;
  if (!s) return -1;
  e = bpf_obj_new(struct event);
  if (!e) return -12;
  e->at = bpf_ktime_get_ns();
  e->seq = __sync_fetch_and_add(&s->ticks, 1);
  old = bpf_kptr_xchg(&s->last, e);
  if (old) bpf_obj_drop(old);
  return 0;
}
