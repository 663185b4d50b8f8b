/* SPDX-License-Identifier: MIT */
/* Global functions' argument tags (btf_decl_tag "arg:…" on a parameter, the
 * kernel's btf_prepare_func_args): __arg_ctx makes any pointer the context,
 * __arg_nonnull a memory argument that may not be NULL, __arg_nullable and
 * __arg_trusted a trusted kernel object (PTR_TO_BTF_ID | PTR_TRUSTED),
 * nullable or not. A global function is checked once on its own, against
 * these types, and each call against what the function expects. */
#include "ringb_test.h"
#include "bpf_objects.h"

#define __arg_ctx __attribute__((btf_decl_tag("arg:ctx")))
#define __arg_nonnull __attribute__((btf_decl_tag("arg:nonnull")))
#define __arg_nullable __attribute__((btf_decl_tag("arg:nullable")))
#define __arg_trusted __attribute__((btf_decl_tag("arg:trusted")))

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

/* ---- __arg_trusted, __arg_nullable ---- */

__weak int ga_task_ids(struct task_struct *task __arg_trusted)
{
	return task->pid == task->tgid;
}

__weak int ga_task_ids_nullable(struct task_struct *task __arg_trusted __arg_nullable)
{
	if (!task)
		return 10;
	return task->pid == task->tgid;
}

/* The main thread runs the test: pid == tgid. */
SEC("tc") __retval(1)
int ga_trusted_current(struct __sk_buff *skb)
{
	return ga_task_ids(bpf_get_current_task_btf());
}

SEC("tc") __retval(12)
int ga_trusted_nullable(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct task_struct *owned = bpf_task_acquire(t);
	int res = ga_task_ids_nullable((void *)0) + ga_task_ids_nullable(t);

	res += ga_task_ids_nullable(owned);  /* maybe NULL: allowed here */
	if (owned)
		bpf_task_release(owned);
	return res;
}

SEC("?tc") __failure __msg("R1 must be referenced or trusted")
__msg("Caller passes invalid args into func#1 ('ga_task_ids')")
int ga_trusted_null(struct __sk_buff *skb)
{
	return ga_task_ids((void *)0);
}

SEC("?tc") __failure __msg("R1 type=ptr_or_null_ expected=ptr_, trusted_ptr_, rcu_ptr_")
int ga_trusted_maybe_null(struct __sk_buff *skb)
{
	struct task_struct *owned = bpf_task_acquire(bpf_get_current_task_btf());
	int res = ga_task_ids(owned);

	if (owned)
		bpf_task_release(owned);
	return res;
}

SEC("?tc") __failure __msg("R1 must be referenced or trusted")
int ga_trusted_stack(struct __sk_buff *skb)
{
	struct task_struct fake = {};

	return ga_task_ids(&fake);
}

/* A trusted argument holds no reference the function may release. */
__weak int ga_release_trusted(struct task_struct *task __arg_trusted)
{
	bpf_task_release(task);
	return 0;
}

SEC("?tc") __failure __msg("release kernel function bpf_task_release expects refcounted PTR_TO_BTF_ID")
int ga_trusted_release(struct __sk_buff *skb)
{
	return ga_release_trusted(bpf_get_current_task_btf());
}

/* ... but it may take one of its own. */
__weak int ga_acquire_trusted(struct task_struct *task __arg_trusted)
{
	struct task_struct *owned = bpf_task_acquire(task);

	if (!owned)
		return 0;
	bpf_task_release(owned);
	return 1;
}

SEC("tc") __retval(1)
int ga_trusted_acquire(struct __sk_buff *skb)
{
	return ga_acquire_trusted(bpf_get_current_task_btf());
}

/* ---- __arg_nonnull ---- */

__weak int ga_read_nonnull(int *p __arg_nonnull)
{
	return *p;  /* no NULL check needed */
}

SEC("tc") __retval(5)
int ga_nonnull_stack(struct __sk_buff *skb)
{
	int v = 5;

	return ga_read_nonnull(&v);
}

SEC("?tc") __failure __msg("arg#0 is expected to be non-NULL")
int ga_nonnull_null(struct __sk_buff *skb)
{
	return ga_read_nonnull((void *)0);
}

/* Without the tag a memory argument may be NULL, and the function must check. */
__weak int ga_read_plain(int *p)
{
	return *p;
}

SEC("?tc") __failure __msg("R1 invalid mem access 'mem_or_null'")
int ga_plain_unchecked(struct __sk_buff *skb)
{
	int v = 5;

	return ga_read_plain(&v);
}

/* ---- __arg_ctx ---- */

__weak int ga_ctx_len(void *ctx __arg_ctx)
{
	struct __sk_buff *skb = ctx;

	return skb->len;
}

SEC("tc") __retval(1)
int ga_ctx_tagged(struct __sk_buff *skb)
{
	return ga_ctx_len(skb) == skb->len;
}

SEC("?tc") __failure __msg("arg#0 expects pointer to ctx")
int ga_ctx_not_ctx(struct __sk_buff *skb)
{
	int v = 0;

	return ga_ctx_len(&v);
}

