// ratio_report.cc — see ratio_report.h.
#include "ratio_report.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "competitors.h"

namespace ringb_bench {

bool MedianCollector::ReportContext(const Context& context) {
  return display_->ReportContext(context);
}

void MedianCollector::ReportRuns(const std::vector<Run>& runs) {
  display_->ReportRuns(runs);
  for (const Run& run : runs) {
    if (run.error_occurred) continue;
    const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
    // Without repetitions there are no aggregates: take the single run.
    const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
    if (!median && !single) continue;
    Median& m = medians_[{run.run_name.function_name, static_cast<int>(run.threads)}];
    m.real_ns_per_iter =
        run.GetAdjustedRealTime() * 1e9 / benchmark::GetTimeUnitMultiplier(run.time_unit);
    for (const auto& [name, counter] : run.counters) m.counters[name] = counter.value;
  }
}

const MedianCollector::Median* MedianCollector::find(const std::string& name, int threads) const {
  auto it = medians_.find({name, threads});
  return it == medians_.end() ? nullptr : &it->second;
}

namespace {

constexpr double kMissing = -1;

std::string cell(double ns) {
  char buf[32];
  if (ns == kMissing)
    std::snprintf(buf, sizeof buf, "n/a");
  else
    std::snprintf(buf, sizeof buf, "%.2f", ns);
  return buf;
}

}  // namespace

void print_summary(std::ostream& out, const MedianCollector& medians,
                   const std::vector<CaseInfo>& cases) {
  char line[512];
  out << "\nSummary: medians of this run, real time per operation in ns "
         "(an operation is one alloc+free pair; producer/consumer: one object moved;\n"
         "with 2 threads: wall time / operations of both threads)\n";
  std::snprintf(line, sizeof line, "%-14s %3s | %8s %14s %8s %8s %8s | %-17s | %s\n", "case",
                "thr", "ringb", "ringb-unpinned", "glibc", "jemalloc", "mimalloc",
                "ringb/best other", "goal met?");
  out << line << std::string(112, '-') << "\n";
  std::string footnotes;
  for (const CaseInfo& c : cases) {
    for (int threads : c.threads) {
      std::vector<double> ns;  // per column of kColumns
      double best = std::numeric_limits<double>::infinity();
      std::string best_name;
      for (const std::string& column : kColumns) {
        const auto* m = medians.find(c.label + "/" + column, threads);
        ns.push_back(m ? m->real_ns_per_iter / c.ops_per_iter : kMissing);
        if (m && column.rfind("ringb", 0) != 0 && ns.back() < best) {
          best = ns.back();
          best_name = column;
        }
        // ringb's alloc returning nullptr (it must not, in task context).
        if (m && m->counters.count("null_retries") && m->counters.at("null_retries") > 0) {
          std::snprintf(line, sizeof line,
                        "  %s/%s threads:%d: %.0f NULL retries per repetition (median)\n",
                        c.label.c_str(), column.c_str(), threads, m->counters.at("null_retries"));
          footnotes += line;
        }
      }
      std::string ratio = "n/a", verdict = c.goal ? "n/a" : "report only";
      if (ns[0] != kMissing && !best_name.empty()) {
        // Judged on the ratio as printed, so the verdict never contradicts it.
        const double r = std::round(ns[0] / best * 100) / 100;
        std::snprintf(line, sizeof line, "%.2f (%s)", r, best_name.c_str());
        ratio = line;
        if (c.goal) verdict = r <= 1.00 ? "yes" : "NO";
      }
      std::snprintf(line, sizeof line, "%-14s %3d | %8s %14s %8s %8s %8s | %-17s | %s\n",
                    c.label.c_str(), threads, cell(ns[0]).c_str(), cell(ns[1]).c_str(),
                    cell(ns[2]).c_str(), cell(ns[3]).c_str(), cell(ns[4]).c_str(),
                    ratio.c_str(), verdict.c_str());
      out << line;
    }
  }
  if (!footnotes.empty()) out << "\nringb NULL returns retried:\n" << footnotes;
}

}  // namespace ringb_bench
