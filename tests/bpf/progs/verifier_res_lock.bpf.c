/* verifier_res_lock: bpf_res_spin_lock's held-lock rules (Linux 6.15+). The
 * lock call forks the walk: where it returned 0 the lock is held, where it
 * failed (r0 in [-4095, -1]) nothing is. Held locks form a stack: the same
 * lock again is an AA deadlock the verifier sees, unlocks go in reverse
 * order and name the lock taken (its map value or object, and whether its
 * irqsave form took it), a section ends before the program exits, and the
 * only calls inside one are the lock kfuncs, graph operations and the
 * number iterator. The _irqsave forms keep the flag in an 8-byte stack slot
 * that must be uninitialised when saved and restored in order.
 * Kernel messages checked by tests/kernel, ringb by tests/corpus. */
#include "ringb_test.h"
#include "bpf_objects.h"
#include "bpf_iter.h"

extern int bpf_res_spin_lock_irqsave(struct bpf_res_spin_lock *lock, unsigned long *flags) __ksym __weak;
extern void bpf_res_spin_unlock_irqrestore(struct bpf_res_spin_lock *lock, unsigned long *flags) __ksym __weak;

struct rl_elem {
	struct bpf_res_spin_lock lock;
	long n;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct rl_elem);
} rl_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct rl_elem);
} rl_map2 SEC(".maps");

struct rl_obj {
	struct bpf_res_spin_lock lock;
	long n;
};

static __always_inline void *rl_get(void *map, int k)
{
	return bpf_map_lookup_elem(map, &k);
}

/* ---- accepted ------------------------------------------------------------ */

/* Checked: only the path that took the lock unlocks it. */
SEC("tc") __success
int rl_checked(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	e->n++;
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

/* Two locks, released in reverse order; the inner one's failure releases
 * the outer one. */
SEC("tc") __success
int rl_nested(struct __sk_buff *skb)
{
	struct rl_elem *a = rl_get(&rl_map, 0), *b = rl_get(&rl_map2, 0);

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock(&a->lock))
		return 0;
	if (bpf_res_spin_lock(&b->lock)) {
		bpf_res_spin_unlock(&a->lock);
		return 0;
	}
	bpf_res_spin_unlock(&b->lock);
	bpf_res_spin_unlock(&a->lock);
	return 0;
}

/* The inner lock only where it was taken (the return value decides). */
SEC("tc") __success
int rl_inner_if_taken(struct __sk_buff *skb)
{
	struct rl_elem *a = rl_get(&rl_map, 0), *b = rl_get(&rl_map, 1);

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock(&a->lock))
		return 0;
	if (!bpf_res_spin_lock(&b->lock))
		bpf_res_spin_unlock(&b->lock);
	bpf_res_spin_unlock(&a->lock);
	return 0;
}

/* The failed call's value is an errno: in [-4095, -1]. */
SEC("tc") __success
int rl_error_range(struct __sk_buff *skb)
{
	struct rl_elem *a = rl_get(&rl_map, 0);
	int r;

	if (!a)
		return 0;
	r = bpf_res_spin_lock(&a->lock);
	if (r == 0) {
		bpf_res_spin_unlock(&a->lock);
		return 0;
	}
	if (r >= 0 || r < -4095)
		return *(volatile int *)0; /* dead: a failed lock returns an errno */
	return 0;
}

/* irqsave and irqrestore with the flags in the right order. */
SEC("tc") __success
int rl_irq_nested(struct __sk_buff *skb)
{
	struct rl_elem *a = rl_get(&rl_map, 0), *b = rl_get(&rl_map2, 0);
	unsigned long f1, f2;

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock_irqsave(&a->lock, &f1))
		return 0;
	if (bpf_res_spin_lock_irqsave(&b->lock, &f2)) {
		bpf_res_spin_unlock_irqrestore(&a->lock, &f1);
		return 0;
	}
	bpf_res_spin_unlock_irqrestore(&b->lock, &f2);
	bpf_res_spin_unlock_irqrestore(&a->lock, &f1);
	return 0;
}

/* ---- refused ------------------------------------------------------------- */

/* The return value not checked: the failed path unlocks what it never took. */
SEC("tc") __failure __msg("bpf_res_spin_unlock without taking a lock")
int rl_unchecked(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);

	if (!e)
		return 0;
	bpf_res_spin_lock(&e->lock);
	e->n++;
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

SEC("tc") __failure __msg("bpf_res_spin_unlock without taking a lock")
int rl_unlock_only(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);

	if (!e)
		return 0;
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

SEC("tc") __failure __msg("Acquiring the same lock again, AA deadlock detected")
int rl_aa(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	bpf_res_spin_lock(&e->lock);
	return 0;
}

/* Another map's value: a different lock. */
SEC("tc") __failure __msg("bpf_res_spin_unlock of different lock")
int rl_unlock_other_map(struct __sk_buff *skb)
{
	struct rl_elem *a = rl_get(&rl_map, 0), *b = rl_get(&rl_map2, 0);

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock(&a->lock))
		return 0;
	bpf_res_spin_unlock(&b->lock);
	return 0;
}

/* Two lookups are two values to the verifier, even of the same key. */
SEC("tc") __failure __msg("bpf_res_spin_unlock of different lock")
int rl_unlock_other_lookup(struct __sk_buff *skb)
{
	struct rl_elem *a = rl_get(&rl_map, 0), *b = rl_get(&rl_map, 0);

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock(&a->lock))
		return 0;
	bpf_res_spin_unlock(&b->lock);
	return 0;
}

SEC("tc") __failure __msg("bpf_res_spin_unlock cannot be out of order")
int rl_out_of_order(struct __sk_buff *skb)
{
	struct rl_elem *a = rl_get(&rl_map, 0), *b = rl_get(&rl_map2, 0);

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock(&a->lock))
		return 0;
	if (bpf_res_spin_lock(&b->lock)) {
		bpf_res_spin_unlock(&a->lock);
		return 0;
	}
	bpf_res_spin_unlock(&a->lock);
	bpf_res_spin_unlock(&b->lock);
	return 0;
}

SEC("tc") __failure __msg("BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region")
int rl_exit_locked(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	return 1;
}

SEC("tc") __failure __msg("function calls are not allowed while holding a lock")
int rl_helper_inside(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	e->n = bpf_ktime_get_ns();
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

SEC("tc") __failure __msg("function calls are not allowed while holding a lock")
int rl_kfunc_inside(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);
	struct rl_obj *o;

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	o = bpf_obj_new(struct rl_obj);
	bpf_res_spin_unlock(&e->lock);
	if (o)
		bpf_obj_drop(o);
	return 0;
}

/* Taken with irqsave, released without irqrestore: another lock. */
SEC("tc") __failure __msg("bpf_res_spin_unlock of different lock")
int rl_irq_plain_unlock(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);
	unsigned long f;

	if (!e)
		return 0;
	if (bpf_res_spin_lock_irqsave(&e->lock, &f))
		return 0;
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

/* Taken plainly, released with irqrestore. */
SEC("tc") __failure __msg("bpf_res_spin_unlock of different lock")
int rl_plain_irq_unlock(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);
	unsigned long f = 0;

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	bpf_res_spin_unlock_irqrestore(&e->lock, &f);
	return 0;
}

/* The flag slot already holds a saved flag. */
SEC("tc") __failure __msg("expected uninitialized irq flag as arg#1")
int rl_irq_flag_reused(struct __sk_buff *skb)
{
	struct rl_elem *a = rl_get(&rl_map, 0), *b = rl_get(&rl_map2, 0);
	unsigned long f;

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock_irqsave(&a->lock, &f))
		return 0;
	if (bpf_res_spin_lock_irqsave(&b->lock, &f)) {
		bpf_res_spin_unlock_irqrestore(&a->lock, &f);
		return 0;
	}
	bpf_res_spin_unlock_irqrestore(&b->lock, &f);
	bpf_res_spin_unlock_irqrestore(&a->lock, &f);
	return 0;
}

/* Restored from a slot that saved nothing. */
SEC("tc") __failure __msg("expected an initialized irq flag as arg#1")
int rl_irq_flag_uninit(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);
	unsigned long f1, f2 = 0;

	if (!e)
		return 0;
	if (bpf_res_spin_lock_irqsave(&e->lock, &f1))
		return 0;
	bpf_res_spin_unlock_irqrestore(&e->lock, &f2);
	return 0;
}

/* The locks in order, their flags swapped. */
SEC("tc") __failure __msg("cannot restore irq state out of order, expected id=4 acquired at insn_idx=24")
int rl_irq_flags_swapped(struct __sk_buff *skb)
{
	struct rl_elem *a = rl_get(&rl_map, 0), *b = rl_get(&rl_map2, 0);
	unsigned long f1, f2;

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock_irqsave(&a->lock, &f1))
		return 0;
	if (bpf_res_spin_lock_irqsave(&b->lock, &f2)) {
		bpf_res_spin_unlock_irqrestore(&a->lock, &f1);
		return 0;
	}
	bpf_res_spin_unlock_irqrestore(&b->lock, &f1);
	bpf_res_spin_unlock_irqrestore(&a->lock, &f2);
	return 0;
}

/* Linux 6.18 keeps no resilient lock in an allocated object's record. */
SEC("tc") __failure __msg("local 'kptr' has no valid bpf_res_spin_lock")
int rl_object_lock(struct __sk_buff *skb)
{
	struct rl_obj *o = bpf_obj_new(struct rl_obj);

	if (!o)
		return 0;
	if (!bpf_res_spin_lock(&o->lock)) {
		o->n = 1;
		bpf_res_spin_unlock(&o->lock);
	}
	bpf_obj_drop(o);
	return 0;
}

/* A map value without a resilient lock. */
SEC("tc") __failure __msg("off 8 doesn't point to 'struct bpf_res_spin_lock' that is at 0")
int rl_bad_off(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock((struct bpf_res_spin_lock *)&e->n))
		return 0;
	bpf_res_spin_unlock((struct bpf_res_spin_lock *)&e->n);
	return 0;
}


__noinline int rl_global_fn(int x)
{
	return x + 1;
}

SEC("tc") __failure __msg("global function calls are not allowed while holding a lock")
int rl_global_inside(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	e->n = rl_global_fn(e->n);
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

static __noinline int rl_take(struct rl_elem *e)
{
	return !bpf_res_spin_lock(&e->lock);
}

/* A static function may return with the lock held; its caller unlocks. */
SEC("tc") __success
int rl_static_takes(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);

	if (!e)
		return 0;
	if (rl_take(e))
		bpf_res_spin_unlock(&e->lock);
	return 0;
}

/* The number iterator may run inside a section. */
SEC("tc") __success
int rl_iter_inside(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);
	struct bpf_iter_num it;
	int *v;

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	bpf_iter_num_new(&it, 0, 3);
	while ((v = bpf_iter_num_next(&it)))
		e->n += *v;
	bpf_iter_num_destroy(&it);
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

/* A saved flag's slot is not data. */
SEC("tc") __failure __msg("invalid read from stack off -16+0 size 8")
int rl_irq_flag_read(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);
	unsigned long f;
	long r;

	if (!e)
		return 0;
	if (bpf_res_spin_lock_irqsave(&e->lock, &f))
		return 0;
	r = *(volatile unsigned long *)&f;
	bpf_res_spin_unlock_irqrestore(&e->lock, &f);
	return r;
}

/* Writing over a saved flag destroys it. */
SEC("tc") __failure __msg("expected an initialized irq flag as arg#1")
int rl_irq_flag_overwritten(struct __sk_buff *skb)
{
	struct rl_elem *e = rl_get(&rl_map, 0);
	unsigned long f;

	if (!e)
		return 0;
	if (bpf_res_spin_lock_irqsave(&e->lock, &f))
		return 0;
	*(volatile unsigned long *)&f = 0;
	bpf_res_spin_unlock_irqrestore(&e->lock, &f);
	return 0;
}

struct rl_sv {
	struct bpf_spin_lock lock;
	long n;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct rl_sv);
} rl_smap SEC(".maps");

/* A resilient lock inside a bpf_spin_lock section, released first. */
SEC("tc") __success
int rl_inside_spin_lock(struct __sk_buff *skb)
{
	struct rl_elem *a = rl_get(&rl_map, 0);
	struct rl_sv *s = rl_get(&rl_smap, 0);

	if (!a || !s)
		return 0;
	bpf_spin_lock(&s->lock);
	if (!bpf_res_spin_lock(&a->lock))
		bpf_res_spin_unlock(&a->lock);
	bpf_spin_unlock(&s->lock);
	return 0;
}

SEC("tc") __failure __msg("bpf_spin_unlock cannot be out of order")
int rl_spin_unlock_first(struct __sk_buff *skb)
{
	struct rl_elem *a = rl_get(&rl_map, 0);
	struct rl_sv *s = rl_get(&rl_smap, 0);

	if (!a || !s)
		return 0;
	bpf_spin_lock(&s->lock);
	if (bpf_res_spin_lock(&a->lock)) {
		bpf_spin_unlock(&s->lock);
		return 0;
	}
	bpf_spin_unlock(&s->lock);
	bpf_res_spin_unlock(&a->lock);
	return 0;
}

/* bpf_spin_lock is a helper: not callable inside a resilient section. */
SEC("tc") __failure __msg("function calls are not allowed while holding a lock")
int rl_spin_lock_inside(struct __sk_buff *skb)
{
	struct rl_elem *a = rl_get(&rl_map, 0);
	struct rl_sv *s = rl_get(&rl_smap, 0);

	if (!a || !s)
		return 0;
	if (bpf_res_spin_lock(&a->lock))
		return 0;
	bpf_spin_lock(&s->lock);
	bpf_spin_unlock(&s->lock);
	bpf_res_spin_unlock(&a->lock);
	return 0;
}
