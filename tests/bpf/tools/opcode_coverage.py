#!/usr/bin/env python3
"""Which BPF instructions does the compiled corpus contain?

Usage: opcode_coverage.py [--objdump llvm-objdump-19] OBJECT.bpf.o...

Decodes every instruction of the given objects (from llvm-objdump's raw
bytes; --mattr=+alu32 so 32-bit atomics decode too) and prints, for every
instruction variant of the BPF ISA that clang can emit (legacy LD_ABS/LD_IND
aside), how often it occurs and in which objects.  Variants that never
occur are listed as MISSING, so gaps in what the corpus exercises are
visible.
"""
import argparse
import collections
import re
import subprocess
import sys

ALU_OPS = {0x00: "add", 0x10: "sub", 0x20: "mul", 0x30: "div", 0x40: "or", 0x50: "and",
           0x60: "lsh", 0x70: "rsh", 0x80: "neg", 0x90: "mod", 0xa0: "xor", 0xb0: "mov",
           0xc0: "arsh", 0xd0: "end"}
JMP_OPS = {0x00: "ja", 0x10: "jeq", 0x20: "jgt", 0x30: "jge", 0x40: "jset", 0x50: "jne",
           0x60: "jsgt", 0x70: "jsge", 0x80: "call", 0x90: "exit", 0xa0: "jlt", 0xb0: "jle",
           0xc0: "jslt", 0xd0: "jsle"}
SIZES = {0x00: "w", 0x08: "h", 0x10: "b", 0x18: "dw"}
ATOMIC_OPS = {0x00: "add", 0x40: "or", 0x50: "and", 0xa0: "xor", 0xe0: "xchg", 0xf0: "cmpxchg"}
COND_JUMPS = ["jeq", "jne", "jset", "jgt", "jge", "jlt", "jle", "jsgt", "jsge", "jslt", "jsle"]


def all_variants():
    v = []
    for cls in ("alu64", "alu32"):
        for op in ("add", "sub", "mul", "div", "sdiv", "mod", "smod", "or", "and", "xor",
                   "lsh", "rsh", "arsh", "mov"):
            v += [f"{cls} {op} imm", f"{cls} {op} reg"]
        v.append(f"{cls} neg")
    v += ["alu64 movsx8", "alu64 movsx16", "alu64 movsx32", "alu32 movsx8", "alu32 movsx16"]
    v += [f"alu32 {e}{n}" for e in ("le", "be") for n in (16, 32, 64)]
    v += [f"alu64 bswap{n}" for n in (16, 32, 64)]
    for cls in ("jmp", "jmp32"):
        for op in COND_JUMPS:
            v += [f"{cls} {op} imm", f"{cls} {op} reg"]
    v += ["jmp ja", "jmp32 ja (gotol)", "call helper", "call bpf-to-bpf", "exit"]
    v += ["ld_imm64"]
    v += [f"ldx {s}" for s in ("b", "h", "w", "dw")]
    v += [f"ldsx {s}" for s in ("b", "h", "w")]
    v += [f"st {s} imm" for s in ("b", "h", "w", "dw")]
    v += [f"stx {s}" for s in ("b", "h", "w", "dw")]
    for s in ("w", "dw"):
        for op in ("add", "and", "or", "xor"):
            v += [f"atomic{s} {op}", f"atomic{s} fetch_{op}"]
        v += [f"atomic{s} xchg", f"atomic{s} cmpxchg"]
    return v


def decode(b):
    """Variant name of one instruction given its 8 (or 16) raw bytes."""
    op, regs = b[0], b[1]
    src = regs >> 4
    off = int.from_bytes(b[2:4], "little", signed=True)
    imm = int.from_bytes(b[4:8], "little", signed=True)
    cls = op & 7
    if cls in (4, 7):  # ALU, ALU64
        name = "alu64" if cls == 7 else "alu32"
        code, x = op & 0xf0, op & 0x08
        o = ALU_OPS.get(code, f"?{code:#x}")
        if o == "end":
            if cls == 7:
                return f"alu64 bswap{imm}"
            return f"alu32 {'be' if x else 'le'}{imm}"
        if o == "neg":
            return f"{name} neg"
        if o in ("div", "mod") and off == 1:
            o = "s" + o
        if o == "mov" and off in (8, 16, 32):
            return f"{name} movsx{off}"
        return f"{name} {o} {'reg' if x else 'imm'}"
    if cls in (5, 6):  # JMP, JMP32
        name = "jmp" if cls == 5 else "jmp32"
        o = JMP_OPS.get(op & 0xf0, "?")
        if o == "ja":
            return "jmp32 ja (gotol)" if cls == 6 else "jmp ja"
        if o == "call":
            return "call bpf-to-bpf" if src == 1 else ("call kfunc" if src == 2 else "call helper")
        if o == "exit":
            return "exit"
        return f"{name} {o} {'reg' if op & 0x08 else 'imm'}"
    mode, size = op & 0xe0, SIZES[op & 0x18]
    if cls == 0:
        return "ld_imm64" if op == 0x18 else f"ld legacy {op:#x}"
    if cls == 1:
        return f"ldsx {size}" if mode == 0x80 else f"ldx {size}"
    if cls == 2:
        return f"st {size} imm"
    if mode == 0xc0:
        a = ATOMIC_OPS.get(imm & 0xf0, f"?{imm:#x}")
        if a in ("add", "or", "and", "xor") and imm & 1:
            a = "fetch_" + a
        return f"atomic{size} {a}"
    return f"stx {size}"


LINE = re.compile(r"^\s*\d+:\s+((?:[0-9a-f]{2} ){7}[0-9a-f]{2})(?:\s+((?:[0-9a-f]{2} ){7}[0-9a-f]{2}))?")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objdump", default="llvm-objdump-19")
    ap.add_argument("objects", nargs="+")
    args = ap.parse_args()
    count = collections.Counter()
    where = collections.defaultdict(set)
    for obj in args.objects:
        out = subprocess.run([args.objdump, "-d", "--mattr=+alu32", obj], check=True,
                             capture_output=True, text=True).stdout
        name = obj.rsplit("/", 1)[-1].removesuffix(".bpf.o")
        for line in out.splitlines():
            m = LINE.match(line)
            if not m:
                continue
            v = decode(bytes(int(x, 16) for x in m.group(1).split()))
            count[v] += 1
            where[v].add(name)
    missing = 0
    for v in all_variants():
        if count[v]:
            print(f"{count[v]:6d}  {v:22s} {', '.join(sorted(where[v]))}")
        else:
            missing += 1
            print(f"MISSING {v}")
    for v in sorted(set(count) - set(all_variants())):
        print(f"{count[v]:6d}  {v:22s} (other) {', '.join(sorted(where[v]))}")
    print(f"{len(all_variants()) - missing}/{len(all_variants())} variants present",
          file=sys.stderr)


if __name__ == "__main__":
    main()
