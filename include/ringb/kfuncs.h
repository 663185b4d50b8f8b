// ringb/kfuncs.h — kfunc prototypes as data: what the verifier checks a call
// against and what the vm binds at load (the kernel's BTF_ID_FLAGS sets and
// the prototypes in its BTF). One table for ringb's built-in kfuncs; hosts
// describe theirs the same way (vm::Functions::add_kfunc).
//
// A call is checked at load against the program's own declaration (its
// extern FUNC in BTF): the same number of arguments, scalars where scalars
// go, pointers where pointers go; a mismatch is an error naming the kfunc.
// Arguments marked Implicit are the loader's to fill in, as the kernel's
// fixup_kfunc_call rewrites them: programs pass NULL/0 there (the `_impl`
// forms) or leave them out (Linux 7.1's names without `_impl`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ringb/error.h"

namespace ringb {
class Btf;
}

namespace ringb::kfuncs {

// KF_* flags, with the kernel's values (include/linux/btf.h).
enum Flag : uint32_t {
  kAcquire = 1u << 0,       // KF_ACQUIRE: returns a reference the program must release
  kRelease = 1u << 1,       // KF_RELEASE: releases its first pointer argument
  kRetNull = 1u << 2,       // KF_RET_NULL: may return NULL
  kTrustedArgs = 1u << 4,   // KF_TRUSTED_ARGS: pointer arguments must be trusted
  kSleepable = 1u << 5,     // KF_SLEEPABLE
  kDestructive = 1u << 6,   // KF_DESTRUCTIVE
  kRcu = 1u << 7,           // KF_RCU: RCU pointers are acceptable arguments
  kIterNew = 1u << 8,       // KF_ITER_NEW
  kIterNext = 1u << 9,      // KF_ITER_NEXT
  kIterDestroy = 1u << 10,  // KF_ITER_DESTROY
  kRcuProtected = 1u << 11, // KF_RCU_PROTECTED: only inside bpf_rcu_read_lock
  kFastcall = 1u << 12,     // KF_FASTCALL
};

enum class Arg : uint8_t {
  Scalar,     // an integer (u32, u64, int, bool, enum)
  Pointer,    // a pointer (to `type`, or void when type is empty)
  Callback,   // a pointer to a BPF subprogram (the rbtree's `less`)
  TypeId,     // a constant local BTF type id (bpf_obj_new_impl's first)
  Meta,       // implicit: the struct meta the loader binds (programs pass NULL)
  NodeOffset, // implicit: the node's offset in its struct (programs pass 0)
  Ignored,    // NAME__ign: any value, not checked (bpf_rdonly_cast's object)
};

enum class Ret : uint8_t { Void, Scalar, Pointer };

// Which program types may call it, by the kernel's registration sets.
enum ProgSet : uint32_t {
  kTc = 1u << 0,           // SCHED_CLS, SCHED_ACT
  kXdp = 1u << 1,
  kTracing = 1u << 2,      // TRACING, LSM, kprobe…
  kStructOps = 1u << 3,
  kSyscall = 1u << 4,
  kSocketFilter = 1u << 5,
  kAnyProg = 0xffffffffu,
};

struct Proto {
  std::string name;
  uint32_t flags = 0;
  Ret ret = Ret::Void;
  std::string ret_type;  // the pointee struct of a pointer result, "" for void
  struct Param {
    Arg kind;
    std::string type;  // Pointer: the pointee struct ("bpf_list_head"), "" for any
  };
  std::vector<Param> args;
  uint32_t progs = kAnyProg;
  // The same kfunc under a newer name whose Implicit arguments are left out
  // ("bpf_obj_new" for "bpf_obj_new_impl", Linux 7.1).
  std::string implicit_alias;

  int arg_index(Arg kind) const;  // the first argument of that kind, or -1
};

// ringb's own kfuncs: the object model (objects, lists, rbtrees, refcounts),
// RCU, resilient spin locks and bpf_cpumask. Each `_impl` kfunc appears once;
// its alias without `_impl` is described by implicit_alias.
const std::vector<Proto>& builtin();

// The prototype of `name` in `table`, aliases included; with `*implicit_args`
// set to whether the name is the alias (Implicit arguments absent).
const Proto* find(const std::vector<Proto>& table, const std::string& name, bool* implicit_args = nullptr);

// Checks a program's declaration of the kfunc (BTF FUNC `func_id`, an extern
// in .ksyms) against its prototype: argument count, and scalar / pointer /
// callback for each argument and the result. EINVAL naming the kfunc and the
// argument on a mismatch. `implicit_args`: the declaration leaves the
// Implicit arguments out.
Status check_declaration(const Btf& btf, uint32_t func_id, const Proto& proto, bool implicit_args);

}  // namespace ringb::kfuncs
