// load_plan.cc — see load_plan.h. As libbpf's autoload and the kernel's
// test_loader: a program is loaded alone with what it uses, so what another
// program of the object needs (a kfunc ringb lacks, a map type ringb cannot
// create) is not its problem.
#include "load_plan.h"

namespace ringb::api {
namespace {

// The map indices program `p`'s ld_imm64 instructions refer to.
std::vector<size_t> maps_of(const Program& p, size_t map_count) {
  std::vector<size_t> out;
  for (size_t i = 0; i + 1 < p.insns.size(); ++i) {
    const Insn& in = p.insns[i];
    if (!isa::is_ld_imm64(in)) continue;
    ++i;
    if (isa::is_map_load(in) && in.imm >= 0 && static_cast<size_t>(in.imm) < map_count) out.push_back(static_cast<size_t>(in.imm));
  }
  return out;
}

int program_index(const Object& obj, const std::string& name) {
  for (size_t i = 0; i < obj.programs.size(); ++i)
    if (obj.programs[i].name == name) return static_cast<int>(i);
  return -1;
}

}  // namespace

Expected<LoadPlan> plan_load(const Object& obj, const std::vector<std::string>& names) {
  LoadPlan plan;
  plan.programs.assign(obj.programs.size(), false);
  plan.maps.assign(obj.maps.size(), names.empty());
  std::vector<size_t> work;
  if (names.empty()) {
    for (size_t i = 0; i < obj.programs.size(); ++i) plan.programs[i] = obj.programs[i].autoload;
    return plan;
  }
  for (const std::string& n : names) {
    const int i = program_index(obj, n);
    if (i < 0) return Error{ENOENT, obj.name + ": no program named '" + n + "'"};
    if (!plan.programs[static_cast<size_t>(i)]) work.push_back(static_cast<size_t>(i));
    plan.programs[static_cast<size_t>(i)] = true;
  }
  while (!work.empty()) {
    const Program& p = obj.programs[work.back()];
    work.pop_back();
    for (size_t m : maps_of(p, obj.maps.size())) {
      if (plan.maps[m]) continue;
      plan.maps[m] = true;
      // A map of maps holds its initial maps (one level: they hold none).
      for (const auto& [slot, name] : obj.maps[m].init_maps)
        if (const int t = obj.find_map(name); t >= 0) plan.maps[static_cast<size_t>(t)] = true;
      // A tail call can reach the prog array's initial programs.
      for (const auto& [slot, name] : obj.maps[m].init_progs) {
        const int t = program_index(obj, name);
        if (t >= 0 && !plan.programs[static_cast<size_t>(t)]) {
          plan.programs[static_cast<size_t>(t)] = true;
          work.push_back(static_cast<size_t>(t));
        }
      }
    }
  }
  return plan;
}

Status check_calls(const Object& obj, const LoadPlan& plan, const vm::Functions& fns) {
  std::string report;
  size_t failing = 0;
  for (size_t i = 0; i < obj.programs.size(); ++i) {
    if (!plan.programs[i]) continue;
    const Program& p = obj.programs[i];
    std::vector<std::string> missing;
    for (size_t pc = 0; pc < p.insns.size(); ++pc) {
      const Insn& in = p.insns[pc];
      if (isa::is_ld_imm64(in)) {
        ++pc;
        continue;
      }
      if (!isa::is_call(in)) continue;
      std::string what;
      if (in.src == isa::kPseudoKfuncCall && in.imm >= 0 && static_cast<size_t>(in.imm) < obj.kfuncs.size()) {
        const std::string& name = obj.kfuncs[static_cast<size_t>(in.imm)];
        if (!fns.kfunc(name)) what = "kfunc '" + name + "'";
      } else if (in.src == 0 && in.imm != vm::kHelperTailCall && !fns.helper(in.imm)) {
        const std::string name = fns.helper_name(in.imm);
        what = "helper " + std::to_string(in.imm) + (name.empty() ? "" : " (" + name + ")");
      }
      if (!what.empty()) missing.push_back(what + " at instruction " + std::to_string(pc));
    }
    if (missing.empty()) continue;
    ++failing;
    report += "\n  program '" + p.name + "' calls " + std::to_string(missing.size()) +
              " function" + (missing.size() == 1 ? "" : "s") + " ringb lacks (neither built in nor registered by the host):";
    for (const std::string& m : missing) report += "\n    " + m;
  }
  if (!failing) return {};
  return Error{EINVAL, obj.name + ": " + std::to_string(failing) + " program" + (failing == 1 ? "" : "s") +
                           " cannot load:" + report};
}

}  // namespace ringb::api
