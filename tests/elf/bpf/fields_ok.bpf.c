/* Every kind of special field, where the kernel accepts it: map values
 * (array, hash, per-cpu array, task storage), arrays of fields, fields in
 * nested structs and arrays of them, a global section with a lock, a list
 * and an rbtree, and objects that are list and rbtree nodes at once. The
 * programs use them the way the kernel's verifier wants, so the whole
 * object loads in the kernel (tests/kernel/fields_oracle_test.cc). */
#include "ringb_fields.h"

struct ringb_plain {
	long v;
};

/* A list element. */
struct ringb_elem {
	int v;
	struct bpf_list_node node;
};

/* In an rbtree and a list at once: needs a refcount. */
struct ringb_node_data {
	long key;
	struct bpf_rb_node r;
	struct bpf_list_node l;
	struct bpf_refcount ref;
};

/* A root that is also a node: it may own only non-roots (ringb_elem). */
struct ringb_bucket {
	struct bpf_spin_lock lock;
	struct bpf_list_head items __contains(ringb_elem, node);
	struct bpf_list_node link;
};

/* A global section of its own: the lock guards the list and the tree. */
private(A) struct bpf_spin_lock glock;
private(A) struct bpf_list_head ghead __contains(ringb_elem, node);
private(A) struct bpf_rb_root groot __contains(ringb_node_data, r);
private(B) struct bpf_spin_lock block;
private(B) struct bpf_list_head buckets __contains(ringb_bucket, link);

struct map_value {
	struct bpf_spin_lock lock;
	int count;
	struct bpf_timer timer;
	struct bpf_wq wq;
	struct bpf_task_work tw;
	struct ringb_plain __kptr *owned;
	struct ringb_plain __kptr_untrusted *seen;
	struct ringb_plain __percpu_kptr *per_cpu;
	struct bpf_list_head list __contains(ringb_elem, node);
	struct bpf_rb_root tree __contains(ringb_node_data, r);
	struct bpf_refcount rc;
};

struct {
	__uint(type, RINGB_MAP_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct map_value);
} values SEC(".maps");

/* Arrays of fields, and a struct of fields repeated in an array. */
struct ringb_wrap {
	struct ringb_plain __kptr *p;
	long x;
};

struct array_value {
	struct bpf_spin_lock lock;
	struct ringb_plain __kptr *ptrs[3];
	struct ringb_wrap wraps[2];
	struct bpf_list_head lists[2] __contains(ringb_elem, node);
};

struct {
	__uint(type, RINGB_MAP_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct array_value);
} arrays SEC(".maps");

/* Nested: the lock and the tree are found inside a member struct. */
struct inner {
	long pad;
	struct bpf_spin_lock lock;
	struct bpf_rb_root tree __contains(ringb_node_data, r);
};

struct nested_value {
	long a;
	struct inner in;
};

struct {
	__uint(type, RINGB_MAP_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct nested_value);
} nested SEC(".maps");

struct percpu_value {
	long counter;
	struct ringb_plain __kptr *p;
};

struct {
	__uint(type, RINGB_MAP_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct percpu_value);
} percpu SEC(".maps");

struct task_value {
	struct bpf_spin_lock lock;
	struct ringb_plain __uptr *udata;
};

struct {
	__uint(type, RINGB_MAP_TASK_STORAGE);
	__uint(map_flags, RINGB_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_value);
} task_store SEC(".maps");

static _Bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct ringb_node_data *na = container_of(a, struct ringb_node_data, r);
	struct ringb_node_data *nb = container_of(b, struct ringb_node_data, r);

	return na->key < nb->key;
}

SEC("tc")
int list_push_pop(void *ctx)
{
	struct ringb_elem *e = bpf_obj_new(typeof(*e));
	struct bpf_list_node *n;
	int v;

	if (!e)
		return 1;
	e->v = 42;
	bpf_spin_lock(&glock);
	bpf_list_push_front(&ghead, &e->node);
	n = bpf_list_pop_front(&ghead);
	bpf_spin_unlock(&glock);
	if (!n)
		return 2;
	e = container_of(n, struct ringb_elem, node);
	v = e->v;
	bpf_obj_drop(e);
	return v;
}

SEC("tc")
int rbtree_add_remove(void *ctx)
{
	struct ringb_node_data *d = bpf_obj_new(typeof(*d));
	struct bpf_rb_node *f;
	long key;

	if (!d)
		return 1;
	d->key = 5;
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &d->r, less);
	f = bpf_rbtree_first(&groot);
	if (!f) {
		bpf_spin_unlock(&glock);
		return 2;
	}
	f = bpf_rbtree_remove(&groot, f);
	bpf_spin_unlock(&glock);
	if (!f)
		return 3;
	d = container_of(f, struct ringb_node_data, r);
	key = d->key;
	bpf_obj_drop(d);
	return key;
}

/* One object in the tree and the list: a second reference from the refcount. */
SEC("tc")
int tree_and_list(void *ctx)
{
	struct ringb_node_data *d = bpf_obj_new(typeof(*d)), *m;

	if (!d)
		return 1;
	d->key = 7;
	m = bpf_refcount_acquire(d);
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &d->r, less);
	bpf_spin_unlock(&glock);
	if (!m)
		return 2;
	bpf_obj_drop(m);
	return 0;
}

SEC("tc")
int kptr_stash(void *ctx)
{
	struct ringb_plain *p;
	struct map_value *v;
	int key = 0;

	v = bpf_map_lookup_elem(&values, &key);
	if (!v)
		return 1;
	p = bpf_obj_new(typeof(*p));
	if (!p)
		return 2;
	p->v = 3;
	p = bpf_kptr_xchg(&v->owned, p);
	if (p)
		bpf_obj_drop(p);
	return 0;
}

SEC("tc")
int bucket_of_items(void *ctx)
{
	struct ringb_bucket *b = bpf_obj_new(typeof(*b));
	struct ringb_elem *e;

	if (!b)
		return 1;
	e = bpf_obj_new(typeof(*e));
	if (!e) {
		bpf_obj_drop(b);
		return 2;
	}
	bpf_spin_lock(&b->lock);
	bpf_list_push_back(&b->items, &e->node);
	bpf_spin_unlock(&b->lock);
	bpf_spin_lock(&block);
	bpf_list_push_back(&buckets, &b->link);
	bpf_spin_unlock(&block);
	return 0;
}
