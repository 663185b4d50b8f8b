/* verifier_obj_reject: the allocated-object model's rules — references from
 * bpf_obj_new and list/rbtree removal must be released or handed over, not
 * used after bpf_obj_drop or after the lock that made them non-owning is
 * released; graph operations need the root's bpf_spin_lock; special fields
 * are not read or written directly; kptr fields change only through
 * bpf_kptr_xchg, with the field's type; releases take the object's start.
 * Kernel messages checked by tests/kernel, ringb by tests/corpus. */
#include "ringb_test.h"
#include "bpf_objects.h"

struct vo_elem {
	long key;
	struct bpf_list_node link;
};

struct vo_node {
	long key;
	struct bpf_rb_node rb;
};

struct vo_other {
	int x;
};

/* Another struct with a list node at the same offset as vo_elem's. */
struct vo_elem2 {
	long key;
	struct bpf_list_node link;
};

struct vo_holder {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(vo_elem, link);
};

struct vo_tree {
	struct bpf_spin_lock lock;
	struct bpf_rb_root root __contains(vo_node, rb);
};

struct vo_slot {
	struct vo_elem __kptr *elem;
	long n;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct vo_holder);
} vo_lists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct vo_tree);
} vo_trees SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct vo_slot);
} vo_slots SEC(".maps");

static struct vo_holder *holder(void) { int k = 0; return bpf_map_lookup_elem(&vo_lists, &k); }
static struct vo_tree *tree(void) { int k = 0; return bpf_map_lookup_elem(&vo_trees, &k); }
static struct vo_slot *slot(void) { int k = 0; return bpf_map_lookup_elem(&vo_slots, &k); }

static _Bool vo_less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return container_of(a, struct vo_node, rb)->key < container_of(b, struct vo_node, rb)->key;
}

SEC("tc") __failure __msg("Unreleased reference id=2 alloc_insn=3") __msg("BPF_EXIT instruction in main prog would lead to reference leak")
int vo_new_leaked(struct __sk_buff *skb)
{
	struct vo_elem *e = bpf_obj_new(struct vo_elem);
	if (!e) return 1;
	e->key = 1;
	return 0;
}

SEC("tc") __failure __msg("R6 invalid mem access 'scalar'")
int vo_use_after_drop(struct __sk_buff *skb)
{
	struct vo_elem *e = bpf_obj_new(struct vo_elem);
	if (!e) return 1;
	bpf_obj_drop(e);
	return e->key;
}

SEC("tc") __failure __msg("R1 must be referenced or trusted")
int vo_double_drop(struct __sk_buff *skb)
{
	struct vo_elem *e = bpf_obj_new(struct vo_elem);
	if (!e) return 1;
	bpf_obj_drop(e);
	bpf_obj_drop(e);
	return 0;
}

SEC("tc") __failure __msg("R0 invalid mem access 'ptr_or_null_'")
int vo_new_unchecked(struct __sk_buff *skb)
{
	struct vo_elem *e = bpf_obj_new(struct vo_elem);
	e->key = 1;
	bpf_obj_drop(e);
	return 0;
}

SEC("tc") __failure __msg("bpf_spin_lock at off=0 must be held for bpf_list_head")
int vo_push_without_lock(struct __sk_buff *skb)
{
	struct vo_holder *h = holder();
	struct vo_elem *e;
	if (!h) return 1;
	e = bpf_obj_new(struct vo_elem);
	if (!e) return 1;
	bpf_list_push_back(&h->head, &e->link);
	return 0;
}

SEC("tc") __failure __msg("bpf_spin_lock at off=0 must be held for bpf_list_head")
int vo_pop_without_lock(struct __sk_buff *skb)
{
	struct vo_holder *h = holder();
	struct bpf_list_node *n;
	if (!h) return 1;
	n = bpf_list_pop_front(&h->head);
	if (n) bpf_obj_drop(container_of(n, struct vo_elem, link));
	return 0;
}

SEC("tc") __failure __msg("R7 invalid mem access 'scalar'")
int vo_use_after_unlock(struct __sk_buff *skb)
{
	struct vo_holder *h = holder();
	struct vo_elem *e;
	if (!h) return 1;
	e = bpf_obj_new(struct vo_elem);
	if (!e) return 1;
	bpf_spin_lock(&h->lock);
	bpf_list_push_back(&h->head, &e->link);
	bpf_spin_unlock(&h->lock);
	e->key = 2;
	return 0;
}

/* under the lock, the pushed object may still be written (non-owning) */
SEC("tc") __success
int vo_write_before_unlock(struct __sk_buff *skb)
{
	struct vo_holder *h = holder();
	struct vo_elem *e;
	struct bpf_list_node *n;
	if (!h) return 1;
	e = bpf_obj_new(struct vo_elem);
	if (!e) return 1;
	bpf_spin_lock(&h->lock);
	bpf_list_push_back(&h->head, &e->link);
	e->key = 2;
	n = bpf_list_pop_front(&h->head);
	bpf_spin_unlock(&h->lock);
	if (n) bpf_obj_drop(container_of(n, struct vo_elem, link));
	return 0;
}

SEC("tc") __failure __msg("Unreleased reference id=3 alloc_insn=13") __msg("BPF_EXIT instruction in main prog would lead to reference leak")
int vo_popped_leaked(struct __sk_buff *skb)
{
	struct vo_holder *h = holder();
	struct bpf_list_node *n;
	if (!h) return 1;
	bpf_spin_lock(&h->lock);
	n = bpf_list_pop_front(&h->head);
	bpf_spin_unlock(&h->lock);
	return n ? 1 : 0;
}

SEC("tc") __failure __msg("function calls are not allowed while holding a lock")
int vo_new_under_lock(struct __sk_buff *skb)
{
	struct vo_holder *h = holder();
	struct vo_elem *e;
	if (!h) return 1;
	bpf_spin_lock(&h->lock);
	e = bpf_obj_new(struct vo_elem);
	if (e) bpf_list_push_back(&h->head, &e->link);
	bpf_spin_unlock(&h->lock);
	return 0;
}

SEC("tc") __failure __msg("function calls are not allowed while holding a lock")
int vo_drop_under_lock(struct __sk_buff *skb)
{
	struct vo_holder *h = holder();
	struct bpf_list_node *n;
	if (!h) return 1;
	bpf_spin_lock(&h->lock);
	n = bpf_list_pop_front(&h->head);
	if (n) bpf_obj_drop(container_of(n, struct vo_elem, link));
	bpf_spin_unlock(&h->lock);
	return 0;
}

SEC("tc") __failure __msg("BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region")
int vo_exit_holding_lock(struct __sk_buff *skb)
{
	struct vo_holder *h = holder();
	if (!h) return 1;
	bpf_spin_lock(&h->lock);
	return 0;
}

SEC("tc") __failure __msg("bpf_spin_lock at off=0 must be held for bpf_rb_root")
int vo_rbtree_add_without_lock(struct __sk_buff *skb)
{
	struct vo_tree *t = tree();
	struct vo_node *n;
	if (!t) return 1;
	n = bpf_obj_new(struct vo_node);
	if (!n) return 1;
	bpf_rbtree_add(&t->root, &n->rb, vo_less);
	return 0;
}

SEC("tc") __failure __msg("bpf_spin_lock at off=0 must be held for bpf_rb_root")
int vo_rbtree_first_without_lock(struct __sk_buff *skb)
{
	struct vo_tree *t = tree();
	if (!t) return 1;
	return bpf_rbtree_first(&t->root) ? 1 : 0;
}

SEC("tc") __failure __msg("R7 invalid mem access 'scalar'")
int vo_rbtree_use_after_unlock(struct __sk_buff *skb)
{
	struct vo_tree *t = tree();
	struct vo_node *n;
	if (!t) return 1;
	n = bpf_obj_new(struct vo_node);
	if (!n) return 1;
	bpf_spin_lock(&t->lock);
	bpf_rbtree_add(&t->root, &n->rb, vo_less);
	bpf_spin_unlock(&t->lock);
	return n->key;
}

SEC("tc") __failure __msg("bpf_list_head cannot be accessed directly by load/store")
int vo_list_head_read(struct __sk_buff *skb)
{
	struct vo_holder *h = holder();
	if (!h) return 1;
	return *(long *)&h->head;
}

SEC("tc") __failure __msg("direct access to bpf_list_node is disallowed")
int vo_list_node_write(struct __sk_buff *skb)
{
	struct vo_elem *e = bpf_obj_new(struct vo_elem);
	if (!e) return 1;
	*(long *)&e->link = 0;
	bpf_obj_drop(e);
	return 0;
}

SEC("tc") __failure __msg("store to referenced kptr disallowed")
int vo_kptr_direct_store(struct __sk_buff *skb)
{
	struct vo_slot *s = slot();
	struct vo_elem *e;
	if (!s) return 1;
	e = bpf_obj_new(struct vo_elem);
	if (!e) return 1;
	s->elem = e;
	return 0;
}

SEC("tc") __failure __msg("invalid kptr access, R2 type=ptr_vo_other expected=ptr_vo_elem")
int vo_kptr_xchg_wrong_type(struct __sk_buff *skb)
{
	struct vo_slot *s = slot();
	struct vo_other *o, *old;
	if (!s) return 1;
	o = bpf_obj_new(struct vo_other);
	if (!o) return 1;
	old = bpf_kptr_xchg(&s->elem, o);
	if (old) bpf_obj_drop(old);
	return 0;
}

SEC("tc") __failure __msg("Unreleased reference id=2 alloc_insn=10") __msg("BPF_EXIT instruction in main prog would lead to reference leak")
int vo_kptr_xchg_result_leaked(struct __sk_buff *skb)
{
	struct vo_slot *s = slot();
	if (!s) return 1;
	return bpf_kptr_xchg(&s->elem, NULL) ? 1 : 0;
}

SEC("tc") __success
int vo_kptr_xchg_round_trip(struct __sk_buff *skb)
{
	struct vo_slot *s = slot();
	struct vo_elem *e, *old;
	if (!s) return 1;
	e = bpf_obj_new(struct vo_elem);
	if (!e) return 1;
	old = bpf_kptr_xchg(&s->elem, e);
	if (old) bpf_obj_drop(old);
	old = bpf_kptr_xchg(&s->elem, NULL);
	if (old) bpf_obj_drop(old);
	return 0;
}

SEC("tc") __failure __msg("off=8 doesn't point to kptr")
int vo_kptr_xchg_not_kptr_field(struct __sk_buff *skb)
{
	struct vo_slot *s = slot();
	struct vo_elem *e, *old;
	if (!s) return 1;
	e = bpf_obj_new(struct vo_elem);
	if (!e) return 1;
	old = bpf_kptr_xchg(&s->n, e);
	if (old) bpf_obj_drop(old);
	return 0;
}

SEC("tc") __failure __msg("R1 must be referenced or trusted")
int vo_drop_map_value(struct __sk_buff *skb)
{
	struct vo_slot *s = slot();
	if (!s) return 1;
	bpf_obj_drop(s);
	return 0;
}

SEC("tc") __failure __msg("R1 must have zero offset when passed to release func or trusted arg to kfunc")
int vo_drop_interior_pointer(struct __sk_buff *skb)
{
	struct vo_elem *e = bpf_obj_new(struct vo_elem);
	if (!e) return 1;
	bpf_obj_drop(&e->link);
	return 0;
}

SEC("tc") __failure __msg("arg#1 expected pointer to allocated object")
int vo_push_twice(struct __sk_buff *skb)
{
	struct vo_holder *h = holder();
	struct vo_elem *e;
	if (!h) return 1;
	e = bpf_obj_new(struct vo_elem);
	if (!e) return 1;
	bpf_spin_lock(&h->lock);
	bpf_list_push_back(&h->head, &e->link);
	bpf_list_push_front(&h->head, &e->link);
	bpf_spin_unlock(&h->lock);
	return 0;
}

SEC("tc") __failure __msg("arg#1 expected pointer to allocated object")
int vo_push_stack_node(struct __sk_buff *skb)
{
	struct vo_holder *h = holder();
	struct vo_elem local = {};
	if (!h) return 1;
	bpf_spin_lock(&h->lock);
	bpf_list_push_back(&h->head, &local.link);
	bpf_spin_unlock(&h->lock);
	return 0;
}

SEC("tc") __failure __msg("arg#0 doesn't point to a type with bpf_refcount field")
int vo_refcount_acquire_no_refcount(struct __sk_buff *skb)
{
	struct vo_elem *e = bpf_obj_new(struct vo_elem), *m;
	if (!e) return 1;
	m = bpf_refcount_acquire(e);
	if (m) bpf_obj_drop(m);
	bpf_obj_drop(e);
	return 0;
}

SEC("syscall") __failure __msg("Unreleased reference id=2 alloc_insn=0") __msg("BPF_EXIT instruction in main prog would lead to reference leak")
int vo_cpumask_leaked(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	if (!m) return 1;
	bpf_cpumask_set_cpu(0, m);
	return 0;
}

SEC("syscall") __failure __msg("Possibly NULL pointer passed to trusted arg1")
int vo_cpumask_unchecked(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	bpf_cpumask_set_cpu(0, m);
	bpf_cpumask_release(m);
	return 0;
}

/* A released cpumask is a scalar, which a release kfunc refuses at once
 * (this machine's kernel, 6.18.44; earlier 6.18 builds checked it as memory
 * and said "R1 type=scalar expected=fp"). */
SEC("syscall") __failure __msg("R1 must be referenced or trusted")
int vo_cpumask_release_twice(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	if (!m) return 1;
	bpf_cpumask_release(m);
	bpf_cpumask_release(m);
	return 0;
}

SEC("syscall") __failure __msg("R2 type=scalar expected=fp")
int vo_cpumask_use_after_release(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	if (!m) return 1;
	bpf_cpumask_release(m);
	bpf_cpumask_set_cpu(0, m);
	return 0;
}

/* Graph nodes: the node argument must point at the node field the root's
 * __contains names, in that struct (__process_kf_arg_ptr_to_graph_node). */
SEC("tc") __failure __msg("bpf_list_node not found at offset=0")
int vo_push_object_start(struct __sk_buff *skb)
{
	struct vo_holder *h = holder();
	struct vo_elem *e;
	if (!h) return 1;
	e = bpf_obj_new(struct vo_elem);
	if (!e) return 1;
	bpf_spin_lock(&h->lock);
	bpf_list_push_back(&h->head, (struct bpf_list_node *)e);
	bpf_spin_unlock(&h->lock);
	return 0;
}

SEC("tc") __failure
__msg("operation on bpf_list_head expects arg#1 bpf_list_node at offset=8 in struct vo_elem, but arg is at offset=8 in struct vo_elem2")
int vo_push_other_struct(struct __sk_buff *skb)
{
	struct vo_holder *h = holder();
	struct vo_elem2 *e;
	if (!h) return 1;
	e = bpf_obj_new(struct vo_elem2);
	if (!e) return 1;
	bpf_spin_lock(&h->lock);
	bpf_list_push_back(&h->head, &e->link);
	bpf_spin_unlock(&h->lock);
	return 0;
}

SEC("tc") __failure __msg("bpf_rb_node not found at offset=0")
int vo_rbtree_add_object_start(struct __sk_buff *skb)
{
	struct vo_tree *t = tree();
	struct vo_node *n;
	if (!t) return 1;
	n = bpf_obj_new(struct vo_node);
	if (!n) return 1;
	bpf_spin_lock(&t->lock);
	bpf_rbtree_add(&t->root, (struct bpf_rb_node *)n, vo_less);
	bpf_spin_unlock(&t->lock);
	return 0;
}

/* A per-cpu object is reached only through bpf_this_cpu_ptr/bpf_per_cpu_ptr. */
struct vo_counters {
	long hits;
};

SEC("tc") __failure __msg("R0 is ptr_vo_counters access percpu memory: off=0")
int vo_percpu_direct_store(struct __sk_buff *skb)
{
	struct vo_counters __percpu_kptr *pc = bpf_percpu_obj_new(struct vo_counters);

	if (!pc) return 1;
	((struct vo_counters *)pc)->hits = 7;
	bpf_percpu_obj_drop(pc);
	return 0;
}

/* Each drop frees its own flavour of object (a soundness mutant freed a
 * plain object through the per-cpu allocator). */
SEC("tc") __failure __msg("arg#0 expected for bpf_obj_drop_impl()")
int vo_plain_object_percpu_drop(struct __sk_buff *skb)
{
	struct vo_counters *c = bpf_obj_new(struct vo_counters);

	if (!c) return 1;
	bpf_percpu_obj_drop_impl(c, 0);
	return 0;
}

SEC("tc") __failure __msg("arg#0 expected for bpf_percpu_obj_drop_impl()")
int vo_percpu_object_plain_drop(struct __sk_buff *skb)
{
	struct vo_counters __percpu_kptr *pc = bpf_percpu_obj_new(struct vo_counters);

	if (!pc) return 1;
	bpf_obj_drop_impl(pc, 0);
	return 0;
}

/* bpf_obj_new allocates structs of the program's BTF; bpf_percpu_obj_new
 * only structs of scalars, of at most 512 bytes. */
SEC("tc") __failure __msg("bpf_obj_new/bpf_percpu_obj_new type ID argument must be of a struct")
int vo_new_of_int(struct __sk_buff *skb)
{
	long *p = bpf_obj_new_impl(bpf_core_type_id_local(long), 0);

	if (p) bpf_obj_drop_impl(p, 0);
	return 0;
}

struct vo_pointy {
	long *p;
};

SEC("tc") __failure __msg("bpf_percpu_obj_new type ID argument must be of a struct of scalars")
int vo_percpu_new_pointer_member(struct __sk_buff *skb)
{
	struct vo_pointy __percpu_kptr *p = bpf_percpu_obj_new(struct vo_pointy);

	if (p) bpf_percpu_obj_drop(p);
	return 0;
}

struct vo_big {
	char b[520];
};

SEC("tc") __failure __msg("bpf_percpu_obj_new type size (520) is greater than 512")
int vo_percpu_new_too_big(struct __sk_buff *skb)
{
	struct vo_big __percpu_kptr *p = bpf_percpu_obj_new(struct vo_big);

	if (p) bpf_percpu_obj_drop(p);
	return 0;
}

/* A graph kfunc takes the root itself, not another field of the value (a
 * soundness mutant passed the lock to bpf_list_front and ran off it). */
SEC("tc") __failure __msg("bpf_list_head not found at offset=0")
int vo_list_front_of_lock(struct __sk_buff *skb)
{
	struct vo_holder *h = holder();
	struct bpf_list_node *n;

	if (!h) return 1;
	bpf_spin_lock(&h->lock);
	n = bpf_list_front((struct bpf_list_head *)&h->lock);
	bpf_spin_unlock(&h->lock);
	return n ? 1 : 0;
}

SEC("tc") __failure __msg("bpf_rb_root not found at offset=0")
int vo_rbtree_first_of_lock(struct __sk_buff *skb)
{
	struct vo_tree *t = tree();
	struct bpf_rb_node *n;

	if (!t) return 1;
	bpf_spin_lock(&t->lock);
	n = bpf_rbtree_first((struct bpf_rb_root *)&t->lock);
	bpf_spin_unlock(&t->lock);
	return n ? 1 : 0;
}

/* bpf_this_cpu_ptr takes a per-cpu kptr read under RCU, not the owned
 * object bpf_percpu_obj_new returned (here moved too, as a soundness mutant
 * moved one past its end). */
SEC("tc") __failure __msg("R1 type=percpu_ptr_ expected=percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_")
int vo_this_cpu_ptr_moved(struct __sk_buff *skb)
{
	struct vo_counters __percpu_kptr *pc = bpf_percpu_obj_new(struct vo_counters);
	struct vo_counters *c;

	if (!pc) return 1;
	c = bpf_this_cpu_ptr((void *)pc + 8);
	c->hits = 1;
	bpf_percpu_obj_drop(pc);
	return 0;
}

/* bpf_refcount_acquire takes an allocated object, not memory shaped like one. */
struct vo_counted {
	long key;
	struct bpf_refcount ref;
};

SEC("tc") __failure __msg("arg#0 is neither owning or non-owning ref")
int vo_refcount_acquire_stack(struct __sk_buff *skb)
{
	struct vo_counted local = {}, *m;

	m = bpf_refcount_acquire(&local);
	if (m) bpf_obj_drop(m);
	return 0;
}

/* A resilient lock is a map value's or an allocated object's field. */
SEC("tc") __failure __msg("arg#0 doesn't point to map value or allocated object")
int vo_res_lock_on_stack(struct __sk_buff *skb)
{
	struct bpf_res_spin_lock l = {};

	if (bpf_res_spin_lock(&l))
		return 1;
	bpf_res_spin_unlock(&l);
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct vo_holder);
} vo_lists2 SEC(".maps");

/* The lock held is another map value's: not the root's allocation. */
SEC("tc") __failure __msg("held lock and object are not in the same allocation")
__msg("bpf_spin_lock at off=0 must be held for bpf_list_head")
int vo_push_other_value_locked(struct __sk_buff *skb)
{
	int k0 = 0, k1 = 1;
	struct vo_holder *a = bpf_map_lookup_elem(&vo_lists2, &k0);
	struct vo_holder *b = bpf_map_lookup_elem(&vo_lists2, &k1);
	struct vo_elem *e;

	if (!a || !b) return 1;
	e = bpf_obj_new(struct vo_elem);
	if (!e) return 1;
	bpf_spin_lock(&a->lock);
	bpf_list_push_back(&b->head, &e->link);
	bpf_spin_unlock(&a->lock);
	return 0;
}

/* Two lookups of one key are two allocations to the verifier. */
SEC("tc") __failure __msg("held lock and object are not in the same allocation")
int vo_pop_other_lookup_locked(struct __sk_buff *skb)
{
	int k = 0;
	struct vo_holder *a = bpf_map_lookup_elem(&vo_lists2, &k);
	struct vo_holder *b = bpf_map_lookup_elem(&vo_lists2, &k);
	struct bpf_list_node *n;

	if (!a || !b) return 1;
	bpf_spin_lock(&a->lock);
	n = bpf_list_pop_front(&b->head);
	bpf_spin_unlock(&a->lock);
	if (n) bpf_obj_drop(container_of(n, struct vo_elem, link));
	return 0;
}

/* A non-owning reference spilled to the stack dies at the unlock too. */
SEC("tc") __failure __msg("invalid mem access 'scalar'")
int vo_spilled_nonown_after_unlock(struct __sk_buff *skb)
{
	struct vo_holder *h = holder();
	struct vo_elem *e;
	struct vo_elem *volatile saved;

	if (!h) return 1;
	e = bpf_obj_new(struct vo_elem);
	if (!e) return 1;
	bpf_spin_lock(&h->lock);
	bpf_list_push_back(&h->head, &e->link);
	saved = e;
	bpf_spin_unlock(&h->lock);
	e = saved;
	e->key = 2;
	return 0;
}

/* The rbtree's `less` runs under the tree's lock: it may neither change the
 * tree nor release the lock (.bss holds both, one allocation). */
struct bpf_spin_lock vo_glock;
struct bpf_rb_root vo_groot __contains(vo_node, rb);

static _Bool vo_less_removes(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	bpf_rbtree_remove(&vo_groot, a);
	return container_of(a, struct vo_node, rb)->key < container_of(b, struct vo_node, rb)->key;
}

static _Bool vo_less_unlocks(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	bpf_spin_unlock(&vo_glock);
	return container_of(a, struct vo_node, rb)->key < container_of(b, struct vo_node, rb)->key;
}

SEC("tc") __failure __msg("bpf_rbtree_remove not allowed in rbtree cb")
int vo_less_remove(struct __sk_buff *skb)
{
	struct vo_node *n = bpf_obj_new(struct vo_node);

	if (!n) return 1;
	bpf_spin_lock(&vo_glock);
	bpf_rbtree_add(&vo_groot, &n->rb, vo_less_removes);
	bpf_spin_unlock(&vo_glock);
	return 0;
}

SEC("tc") __failure __msg("can't spin_{lock,unlock} in rbtree cb")
int vo_less_unlock(struct __sk_buff *skb)
{
	struct vo_node *n = bpf_obj_new(struct vo_node);

	if (!n) return 1;
	bpf_spin_lock(&vo_glock);
	bpf_rbtree_add(&vo_groot, &n->rb, vo_less_unlocks);
	bpf_spin_unlock(&vo_glock);
	return 0;
}

/* bpf_refcount_acquire takes the object's start (the soundness fuzzer's
 * find: a node pointer moved by -129 was accepted and the run faulted). */
SEC("tc") __failure __msg("dereference of modified ptr_ ptr R1 off=8 disallowed")
int vo_refcount_acquire_interior(struct __sk_buff *skb)
{
	struct vo_counted *n = bpf_obj_new(struct vo_counted), *m;

	if (!n) return 1;
	m = bpf_refcount_acquire((struct vo_counted *)((char *)n + 8));
	if (m) bpf_obj_drop(m);
	bpf_obj_drop(n);
	return 0;
}

/* A node added in an earlier section: its non-owning reference died at
 * that section's unlock, so it cannot be removed in the next one. */
SEC("tc") __failure __msg("bpf_rbtree_remove can only take non-owning or refcounted bpf_rb_node pointer")
int vo_rbtree_remove_escaped(struct __sk_buff *skb)
{
	struct vo_node *n = bpf_obj_new(struct vo_node);
	struct bpf_rb_node *r;

	if (!n) return 1;
	bpf_spin_lock(&vo_glock);
	bpf_rbtree_add(&vo_groot, &n->rb, vo_less);
	bpf_spin_unlock(&vo_glock);
	bpf_spin_lock(&vo_glock);
	r = bpf_rbtree_remove(&vo_groot, &n->rb);
	bpf_spin_unlock(&vo_glock);
	if (r) bpf_obj_drop(container_of(r, struct vo_node, rb));
	return 0;
}
