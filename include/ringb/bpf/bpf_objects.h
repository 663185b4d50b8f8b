/* SPDX-License-Identifier: MIT */
/*
 * ringb/bpf/bpf_objects.h - the allocated-object model for BPF C programs.
 *
 * What a program needs to use bpf_obj_new, linked lists, rbtrees,
 * bpf_refcount, kptrs, spin locks and bpf_cpumask, without vmlinux.h: the
 * special-field structs with the kernel's UAPI sizes, the kfunc
 * declarations (__ksym externs, resolved by name by the kernel or by ringb),
 * and the macros the kernel's selftests use. A program written against the
 * kernel's bpf_experimental.h compiles against this one (see
 * bpf_experimental.h next to it), and the object it produces loads in both
 * the kernel and ringb.
 *
 *   struct node { long key; struct bpf_list_node link; };
 *   struct value { struct bpf_spin_lock lock; struct bpf_list_head head __contains(node, link); };
 *
 *   struct node *n = bpf_obj_new(struct node);
 *   if (!n) return 0;
 *   bpf_spin_lock(&v->lock);
 *   bpf_list_push_back(&v->head, &n->link);
 *   bpf_spin_unlock(&v->lock);
 *
 * Needs <linux/bpf.h> (for bpf_spin_lock) and <bpf/bpf_helpers.h> first.
 */
#ifndef RINGB_BPF_OBJECTS_H
#define RINGB_BPF_OBJECTS_H

#include <linux/types.h>
#include <bpf/bpf_core_read.h>

#ifndef __ksym
#define __ksym __attribute__((section(".ksyms")))
#endif
#ifndef __weak
#define __weak __attribute__((weak))
#endif

/* ---- special fields (sizes and alignment as the kernel's UAPI) ---------- */
/* vmlinux.h defines these; a program that includes it defines
 * RINGB_HAVE_VMLINUX_TYPES first. */
#ifndef RINGB_HAVE_VMLINUX_TYPES
struct bpf_list_head { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 __opaque[3]; } __attribute__((aligned(8)));
struct bpf_rb_root { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct bpf_rb_node { __u64 __opaque[4]; } __attribute__((aligned(8)));
struct bpf_refcount { __u32 __opaque[1]; } __attribute__((aligned(4)));
struct bpf_res_spin_lock { __u32 val; };
struct bpf_wq { __u64 __opaque[2]; } __attribute__((aligned(8)));
#endif

/* A graph root holds nodes of struct TYPE through its member NODE. */
#define __contains(TYPE, NODE) __attribute__((btf_decl_tag("contains:" #TYPE ":" #NODE)))
/* kptr fields: referenced (a local object or a kernel kptr type), per-cpu,
 * untrusted. */
#define __kptr __attribute__((btf_type_tag("kptr")))
#define __percpu_kptr __attribute__((btf_type_tag("percpu_kptr")))
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))

/* A global variable in its own section (.data.NAME), so a lock and the roots
 * it guards share one map value: private(A) struct bpf_spin_lock lock; */
#ifndef private
#define private(NAME) SEC(".data." #NAME) __attribute__((visibility("hidden"), aligned(8)))
#endif

#ifndef container_of
#define container_of(ptr, type, member)                          \
  ({                                                             \
    void *__mptr = (void *)(ptr);                                \
    ((type *)(__mptr - __builtin_offsetof(type, member)));       \
  })
#endif

/* ---- objects ------------------------------------------------------------ */
/* The type id must be a constant (a CO-RE TYPE_ID_LOCAL relocation); meta
 * and off are filled in by the loader, as the kernel's verifier does. */
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
extern void *bpf_percpu_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_percpu_obj_drop_impl(void *kptr, void *meta) __ksym;
extern void *bpf_refcount_acquire_impl(void *kptr, void *meta) __ksym;

#define bpf_obj_new(T) ((T *)bpf_obj_new_impl(bpf_core_type_id_local(T), (void *)0))
#define bpf_obj_drop(p) bpf_obj_drop_impl(p, (void *)0)
#define bpf_percpu_obj_new(T) \
  ((T __percpu_kptr *)bpf_percpu_obj_new_impl(bpf_core_type_id_local(T), (void *)0))
#define bpf_percpu_obj_drop(p) bpf_percpu_obj_drop_impl(p, (void *)0)
#define bpf_refcount_acquire(p) bpf_refcount_acquire_impl(p, (void *)0)

/* ---- linked lists (under the spin lock next to the head) ---------------- */
/* 0, or -EINVAL when the node is in a list already (the object is dropped). */
extern int bpf_list_push_front_impl(struct bpf_list_head *head, struct bpf_list_node *node,
                                    void *meta, __u64 off) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node,
                                   void *meta, __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head) __ksym;
/* Linux 6.16: peek without removing (a non-owning reference). */
extern struct bpf_list_node *bpf_list_front(struct bpf_list_head *head) __ksym __weak;
extern struct bpf_list_node *bpf_list_back(struct bpf_list_head *head) __ksym __weak;

#define bpf_list_push_front(head, node) bpf_list_push_front_impl(head, node, (void *)0, 0)
#define bpf_list_push_back(head, node) bpf_list_push_back_impl(head, node, (void *)0, 0)

/* ---- rbtrees -------------------------------------------------------------- */
extern int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node,
                               _Bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b),
                               void *meta, __u64 off) __ksym;
extern struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root,
                                             struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root) __ksym;
/* Linux 6.16: walking the tree (non-owning references). */
extern struct bpf_rb_node *bpf_rbtree_root(struct bpf_rb_root *root) __ksym __weak;
extern struct bpf_rb_node *bpf_rbtree_left(struct bpf_rb_root *root,
                                           struct bpf_rb_node *node) __ksym __weak;
extern struct bpf_rb_node *bpf_rbtree_right(struct bpf_rb_root *root,
                                            struct bpf_rb_node *node) __ksym __weak;

#define bpf_rbtree_add(root, node, less) bpf_rbtree_add_impl(root, node, less, (void *)0, 0)

/* ---- RCU and resilient spin locks --------------------------------------- */
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
/* Linux 6.15: 0 when taken, else a negative error the program must check
 * (-EDEADLK, -ETIMEDOUT). */
extern int bpf_res_spin_lock(struct bpf_res_spin_lock *lock) __ksym __weak;
extern void bpf_res_spin_unlock(struct bpf_res_spin_lock *lock) __ksym __weak;

/* ---- bpf_cpumask: a kernel kptr type --------------------------------------- */
/* Full definitions, not declarations: libbpf matches a kfunc's prototype
 * against the kernel's and wants struct for struct. The layout is the
 * kernel's with NR_CPUS = 8192 (Debian's); programs only pass pointers. */
#ifndef RINGB_HAVE_VMLINUX_TYPES
struct cpumask { unsigned long bits[128]; };
struct bpf_cpumask { struct cpumask cpumask; int usage; };
#endif
extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym __weak;
extern struct bpf_cpumask *bpf_cpumask_acquire(struct bpf_cpumask *cpumask) __ksym __weak;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym __weak;
extern __u32 bpf_cpumask_first(const struct cpumask *cpumask) __ksym __weak;
extern __u32 bpf_cpumask_first_zero(const struct cpumask *cpumask) __ksym __weak;
extern __u32 bpf_cpumask_first_and(const struct cpumask *src1, const struct cpumask *src2) __ksym __weak;
extern void bpf_cpumask_set_cpu(__u32 cpu, struct bpf_cpumask *cpumask) __ksym __weak;
extern void bpf_cpumask_clear_cpu(__u32 cpu, struct bpf_cpumask *cpumask) __ksym __weak;
extern _Bool bpf_cpumask_test_cpu(__u32 cpu, const struct cpumask *cpumask) __ksym __weak;
extern _Bool bpf_cpumask_test_and_set_cpu(__u32 cpu, struct bpf_cpumask *cpumask) __ksym __weak;
extern _Bool bpf_cpumask_test_and_clear_cpu(__u32 cpu, struct bpf_cpumask *cpumask) __ksym __weak;
extern void bpf_cpumask_setall(struct bpf_cpumask *cpumask) __ksym __weak;
extern void bpf_cpumask_clear(struct bpf_cpumask *cpumask) __ksym __weak;
extern _Bool bpf_cpumask_and(struct bpf_cpumask *dst, const struct cpumask *src1,
                             const struct cpumask *src2) __ksym __weak;
extern void bpf_cpumask_or(struct bpf_cpumask *dst, const struct cpumask *src1,
                           const struct cpumask *src2) __ksym __weak;
extern void bpf_cpumask_xor(struct bpf_cpumask *dst, const struct cpumask *src1,
                            const struct cpumask *src2) __ksym __weak;
extern _Bool bpf_cpumask_equal(const struct cpumask *src1, const struct cpumask *src2) __ksym __weak;
extern _Bool bpf_cpumask_intersects(const struct cpumask *src1, const struct cpumask *src2) __ksym __weak;
extern _Bool bpf_cpumask_subset(const struct cpumask *src1, const struct cpumask *src2) __ksym __weak;
extern _Bool bpf_cpumask_empty(const struct cpumask *cpumask) __ksym __weak;
extern _Bool bpf_cpumask_full(const struct cpumask *cpumask) __ksym __weak;
extern void bpf_cpumask_copy(struct bpf_cpumask *dst, const struct cpumask *src) __ksym __weak;
extern __u32 bpf_cpumask_any_distribute(const struct cpumask *src) __ksym __weak;
extern __u32 bpf_cpumask_any_and_distribute(const struct cpumask *src1,
                                            const struct cpumask *src2) __ksym __weak;
extern __u32 bpf_cpumask_weight(const struct cpumask *cpumask) __ksym __weak;
extern int bpf_cpumask_populate(struct cpumask *cpumask, void *src, __u32 src__sz) __ksym __weak;

/* A bpf_cpumask where the queries want a const struct cpumask *. */
#define ringb_cast_cpumask(m) ((const struct cpumask *)(m))

#endif /* RINGB_BPF_OBJECTS_H */
