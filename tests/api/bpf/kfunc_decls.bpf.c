/* kfunc_decls.bpf.c — declarations ringb checks at load
 * (tests/api/kfunc_decl_test.cc): Linux 7.1's kfunc names without `_impl`,
 * whose implicit arguments are left out, and (with -DBAD_DECL) a
 * declaration that does not match the kfunc. */
#include "ringb_test.h"
#include <bpf/bpf_core_read.h>

/* Its own declarations, not bpf_objects.h's: that is what is tested. */
struct bpf_list_head { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 __opaque[3]; } __attribute__((aligned(8)));
#define __contains(TYPE, NODE) __attribute__((btf_decl_tag("contains:" #TYPE ":" #NODE)))
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;

struct elem {
  long key;
  struct bpf_list_node link;
};

struct holder {
  struct bpf_spin_lock lock;
  struct bpf_list_head head __contains(elem, link);
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, int);
  __type(value, struct holder);
} lists SEC(".maps");

#ifdef BAD_DECL
/* A pointer argument declared as an integer. */
extern struct bpf_list_node *bpf_list_pop_back(__u64 head) __ksym;
#endif

/* Linux 7.1: the same kfuncs, their meta and offset implicit. */
extern void *bpf_obj_new(__u64 local_type_id) __ksym;
extern void bpf_obj_drop(void *kptr) __ksym;
extern int bpf_list_push_back(struct bpf_list_head *head, struct bpf_list_node *node) __ksym;

SEC("tc")
int implicit_names(struct __sk_buff *skb) {
  int zero = 0;
  struct holder *h = bpf_map_lookup_elem(&lists, &zero);
  struct bpf_list_node *n;
  struct elem *e;
  long key;
  if (!h) return -1;
  e = bpf_obj_new(bpf_core_type_id_local(struct elem));
  if (!e) return -2;
  e->key = 71;
  bpf_spin_lock(&h->lock);
  bpf_list_push_back(&h->head, &e->link);
  bpf_spin_unlock(&h->lock);
  bpf_spin_lock(&h->lock);
#ifdef BAD_DECL
  n = bpf_list_pop_back((__u64)&h->head);
#else
  n = bpf_list_pop_front(&h->head);
#endif
  bpf_spin_unlock(&h->lock);
  if (!n) return -3;
  e = container_of(n, struct elem, link);
  key = e->key;
  bpf_obj_drop(e);
  return key;
}
