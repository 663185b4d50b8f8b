// ratio_report.h — collects the medians of the run as it is displayed, and
// prints the ringb-versus-the-rest summary table from them.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace ringb_bench {

// One case of the benchmark: its benchmarks are named "<label>/<competitor>".
struct CaseInfo {
  std::string label;
  std::vector<int> threads;  // ->Threads() counts; one table row each
  double ops_per_iter;       // the table shows time per operation
  bool goal;                 // does "ringb no slower than the best other" apply?
};

// A display reporter that passes everything on to the default one (console,
// or whatever --benchmark_format asks for) and keeps each benchmark's median.
class MedianCollector : public benchmark::BenchmarkReporter {
 public:
  struct Median {
    double real_ns_per_iter = 0;
    std::map<std::string, double> counters;
  };

  explicit MedianCollector(benchmark::BenchmarkReporter* display) : display_(display) {}
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override { display_->Finalize(); }

  // The median of benchmark `name` run with `threads` threads, or null.
  const Median* find(const std::string& name, int threads) const;

 private:
  benchmark::BenchmarkReporter* display_;  // not owned
  std::map<std::pair<std::string, int>, Median> medians_;
};

// One row per case and thread count: each column's time per operation,
// ringb / best of glibc, jemalloc and mimalloc, and whether the goal is met.
void print_summary(std::ostream& out, const MedianCollector& medians,
                   const std::vector<CaseInfo>& cases);

}  // namespace ringb_bench
