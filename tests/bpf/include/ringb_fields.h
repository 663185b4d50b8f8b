/* SPDX-License-Identifier: MIT */
/*
 * ringb_fields.h - what BPF C needs to declare special fields: the UAPI
 * structs of the allocated-object model (only their names and sizes matter
 * to BTF), the kptr type tags, __contains, and the object kfuncs.
 *
 * Include it instead of <linux/bpf.h>: the system's UAPI header may be older
 * than these structs (Debian 12 ships 6.1, which has bpf_spin_lock and
 * bpf_timer only) or newer, and both would clash. Map types are given as
 * RINGB_MAP_* for the same reason.
 */
#ifndef RINGB_FIELDS_H
#define RINGB_FIELDS_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct bpf_spin_lock { __u32 val; };
struct bpf_res_spin_lock { __u32 val; };
struct bpf_timer { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct bpf_wq { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct bpf_task_work { __u64 __opaque; } __attribute__((aligned(8)));
struct bpf_list_head { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 __opaque[3]; } __attribute__((aligned(8)));
struct bpf_rb_root { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct bpf_rb_node { __u64 __opaque[4]; } __attribute__((aligned(8)));
struct bpf_refcount { __u32 __opaque[1]; } __attribute__((aligned(4)));

#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
#define __kptr __attribute__((btf_type_tag("kptr")))
#define __percpu_kptr __attribute__((btf_type_tag("percpu_kptr")))
#define __uptr __attribute__((btf_type_tag("uptr")))
/* On a bpf_list_head or bpf_rb_root: the struct it holds and its node member. */
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
/* Global variables in their own data section, as the kernel's selftests
 * declare locks and roots: private(A) struct bpf_spin_lock lock; */
#define private(name) SEC(".data." #name) __hidden __attribute__((aligned(8)))

#define RINGB_MAP_HASH 1
#define RINGB_MAP_ARRAY 2
#define RINGB_MAP_PERCPU_HASH 5
#define RINGB_MAP_PERCPU_ARRAY 6
#define RINGB_MAP_LRU_HASH 9
#define RINGB_MAP_TASK_STORAGE 29
#define RINGB_F_NO_PREALLOC 1

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((void *)(ptr) - __builtin_offsetof(type, member)))
#endif

extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
extern void *bpf_refcount_acquire_impl(void *kptr, void *meta) __ksym;
extern int bpf_list_push_front_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta,
				    __u64 off) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta,
				   __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head) __ksym;
extern int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node,
			       _Bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b), void *meta,
			       __u64 off) __ksym;
extern struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root) __ksym;

#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)
#define bpf_refcount_acquire(kptr) bpf_refcount_acquire_impl(kptr, NULL)
#define bpf_list_push_front(head, node) bpf_list_push_front_impl(head, node, NULL, 0)
#define bpf_list_push_back(head, node) bpf_list_push_back_impl(head, node, NULL, 0)
#define bpf_rbtree_add(root, node, less) bpf_rbtree_add_impl(root, node, less, NULL, 0)

char _license[] SEC("license") = "GPL";

#endif /* RINGB_FIELDS_H */
