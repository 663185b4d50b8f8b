/* Special fields the kernel refuses, one way per VARIANT (the table in
 * tests/elf/fields_objects.h says which errno each one gets).
 *  1 two bpf_spin_locks in one struct            E2BIG
 *  2 a bpf_list_head without a lock              EINVAL
 *  3 a bpf_list_head without `contains:`         EINVAL
 *  4 `contains:` names an unknown struct         ENOENT
 *  5 `contains:` names an unknown member         ENOENT
 *  6 `contains:` names a node of the wrong kind  EINVAL
 *  7 list and rb node, no bpf_refcount           EINVAL
 *  8 a struct owning its own kind                ELOOP
 *  9 two `contains:` tags on one head            EINVAL
 * 10 twelve kptrs in an object                   E2BIG
 * 11 an array of bpf_spin_locks in an object     EINVAL
 * Refused only where a program uses them: the kernel creates these maps
 * without fields, and the object opens.
 * 12 a section with two bpf_spin_locks
 * 13 a map value with two bpf_timers */
#include "ringb_fields.h"

struct ringb_elem {
	int v;
	struct bpf_list_node node;
};

struct ringb_rb_elem {
	long key;
	struct bpf_rb_node r;
};

struct ringb_plain {
	long v;
};

#if VARIANT == 1
struct bad {
	struct bpf_spin_lock a;
	struct bpf_spin_lock b;
};
#elif VARIANT == 2
struct bad {
	long pad;
	struct bpf_list_head head __contains(ringb_elem, node);
};
#elif VARIANT == 3
struct bad {
	struct bpf_spin_lock lock;
	struct bpf_list_head head;
};
#elif VARIANT == 4
struct bad {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(ringb_nothing, node);
};
#elif VARIANT == 5
struct bad {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(ringb_elem, nod);
};
#elif VARIANT == 6
struct bad {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(ringb_rb_elem, r);
};
#elif VARIANT == 7
struct bad {
	struct bpf_list_node l;
	struct bpf_rb_node r;
};
#elif VARIANT == 8
struct bad {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(bad, node);
	struct bpf_list_node node;
};
#elif VARIANT == 9
struct bad {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(ringb_elem, node) __contains(ringb_rb_elem, r);
};
#elif VARIANT == 10
struct bad {
	struct bpf_list_node node;
	struct ringb_plain __kptr *p;
	struct ringb_plain __kptr *ps[11];
};
#elif VARIANT == 11
struct bad {
	struct bpf_list_node node;
	struct bpf_spin_lock locks[2];
};
#elif VARIANT == 12
private(A) struct bpf_spin_lock lock_a;
private(A) struct bpf_spin_lock lock_b;
struct bad {
	long v;
};
#elif VARIANT == 13
struct bad {
	struct bpf_timer t1;
	struct bpf_timer t2;
};
#endif

struct {
	__uint(type, RINGB_MAP_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct bad);
} bad_map SEC(".maps");

/* Keeps ringb_elem, ringb_rb_elem and ringb_plain in the BTF. */
struct uses {
	struct ringb_elem e;
	struct ringb_rb_elem r;
	struct ringb_plain p;
};

struct {
	__uint(type, RINGB_MAP_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct uses);
} uses_map SEC(".maps");

SEC("tc")
int prog(void *ctx)
{
	return 0;
}
