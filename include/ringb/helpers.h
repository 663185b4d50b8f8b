// ringb/helpers.h — helper prototypes as data: the kernel's struct
// bpf_func_proto for every helper ringb implements (src/vm/helpers.cc), read
// by the verifier to check a call's arguments and type its result.
#pragma once

#include <cstdint>

namespace ringb::helpers {

// enum bpf_arg_type, the kinds the implemented helpers use. Modifiers are
// the flag bits below, as the kernel ORs PTR_MAYBE_NULL, MEM_RDONLY… in.
enum class ArgKind : uint8_t {
  None,          // ARG_DONTCARE: no more arguments
  Anything,      // ARG_ANYTHING: any initialised value
  ConstMapPtr,   // ARG_CONST_MAP_PTR
  MapKey,        // ARG_PTR_TO_MAP_KEY: key_size readable bytes
  MapValue,      // ARG_PTR_TO_MAP_VALUE: value_size bytes (uninit: written)
  Mem,           // ARG_PTR_TO_MEM: the next argument is its size
  ConstSize,     // ARG_CONST_SIZE: the size of the previous argument, > 0
  ConstSizeOrZero,  // ARG_CONST_SIZE_OR_ZERO
  Ctx,           // ARG_PTR_TO_CTX
  Func,          // ARG_PTR_TO_FUNC: a callback subprogram
  Stack,         // ARG_PTR_TO_STACK
  SpinLock,      // ARG_PTR_TO_SPIN_LOCK: a bpf_spin_lock in a map value or object
  ConstStr,      // ARG_PTR_TO_CONST_STR: a NUL-terminated string in read-only map value
  Kptr,          // ARG_PTR_TO_KPTR: a map value's kptr field
  BtfId,         // ARG_PTR_TO_BTF_ID: an allocated object / kernel pointer
  PercpuBtfId,   // ARG_PTR_TO_PERCPU_BTF_ID
  Dynptr,        // ARG_PTR_TO_DYNPTR: a struct bpf_dynptr on the stack (kDyn* says which kind)
  RingbufMem,    // ARG_PTR_TO_RINGBUF_MEM: a bpf_ringbuf_reserve record
  AllocSize,     // ARG_CONST_ALLOC_SIZE_OR_ZERO: a known constant, the size of the result
  FixedMem,      // ARG_PTR_TO_FIXED_SIZE_MEM: Arg::size bytes
  SockCommon,    // ARG_PTR_TO_SOCK_COMMON: sock_common, sock, tcp_sock
  BtfIdSockCommon,  // ARG_PTR_TO_BTF_ID_SOCK_COMMON: those, or a kernel socket's BTF pointer
  Socket,        // ARG_PTR_TO_SOCKET: a full socket (struct bpf_sock)
};

enum ArgFlag : uint8_t {
  kMaybeNull = 1u << 0,  // PTR_MAYBE_NULL
  kRdonly = 1u << 1,     // MEM_RDONLY: the helper only reads
  kUninit = 1u << 2,     // MEM_UNINIT: the helper writes, need not be initialised
  kRelease = 1u << 3,    // OBJ_RELEASE
  kDynLocal = 1u << 4,   // DYNPTR_TYPE_LOCAL
  kDynRingbuf = 1u << 5, // DYNPTR_TYPE_RINGBUF
  kAligned = 1u << 6,    // MEM_ALIGNED: the memory is aligned to its size
};

// enum bpf_return_type, the kinds used.
enum class RetKind : uint8_t {
  Integer,           // RET_INTEGER
  Void,              // RET_VOID
  MapValueOrNull,    // RET_PTR_TO_MAP_VALUE_OR_NULL
  MapValue,          // RET_PTR_TO_MAP_VALUE: never NULL (bpf_get_local_storage)
  MemOrBtfId,        // RET_PTR_TO_MEM_OR_BTF_ID (with kMaybeNull in ret_flags or not)
  BtfIdOrNull,       // RET_PTR_TO_BTF_ID_OR_NULL (kptr_xchg: the field's type)
  RingbufMemOrNull,  // RET_PTR_TO_RINGBUF_MEM_OR_NULL: an acquired record of the AllocSize
  DynptrMemOrNull,   // RET_PTR_TO_DYNPTR_MEM_OR_NULL: a slice of the dynptr argument
  SocketOrNull,      // RET_PTR_TO_SOCKET_OR_NULL
  SockCommonOrNull,  // RET_PTR_TO_SOCK_COMMON_OR_NULL
  TcpSockOrNull,     // RET_PTR_TO_TCP_SOCK_OR_NULL
  TaskBtfId,         // RET_PTR_TO_BTF_ID_TRUSTED to struct task_struct
  SockBtfIdOrNull,   // RET_PTR_TO_BTF_ID_OR_NULL to a kernel socket struct (bpf_skc_to_*)
};

struct Arg {
  ArgKind kind = ArgKind::None;
  uint8_t flags = 0;
  uint16_t size = 0;  // FixedMem: its size
};

struct Proto {
  int id = 0;
  const char* name = "";
  RetKind ret = RetKind::Integer;
  uint8_t ret_flags = 0;  // kMaybeNull, kRdonly
  Arg args[5];
  bool gpl_only = false;
  bool pkt_access = false;  // may take packet pointers where it takes memory
  // bpf_helper_changes_pkt_data: the packet may move, so every packet
  // pointer the program holds is invalid after the call.
  bool changes_pkt_data = false;
  // is_acquire_function: the result is a reference the program must
  // release (the socket lookups). is_ptr_cast_function: the result stands
  // for the same reference as the first argument (bpf_sk_fullsock, bpf_tcp_sock).
  bool acquire = false;
  bool ptr_cast = false;
  // allow_fastcall, for a helper the kernel inlines on x86_64: it clobbers
  // only r0, so spills and fills around it go (src/verifier/fastcall.cc).
  bool allow_fastcall = false;
  // might_sleep: sleepable programs only, and outside RCU read sections.
  bool might_sleep = false;
};

// The prototype of helper `id`, or nullptr when ringb does not implement it.
// bpf_tail_call (12) is here too: the vm runs it as an instruction.
const Proto* find(int id);

}  // namespace ringb::helpers
