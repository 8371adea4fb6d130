// What the benchmarks read about a process from /proc (no DPDK): the CPU
// time of one thread, which turns a busy-polling lcore's share of a shared
// machine into cycles per packet, and anonymous memory (the flow table).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace maglb::bench {

// The live child processes of this process (/proc/.../children).
std::vector<pid_t> child_pids();
// The id of the thread of `pid` named `comm` (e.g. "rte-worker-1").
std::optional<pid_t> find_thread(pid_t pid, const std::string &comm);
// Nanoseconds the thread has run on a CPU (schedstat's first field): time
// stolen by other processes on a shared core is not counted.
std::optional<uint64_t> thread_cpu_ns(pid_t pid, pid_t tid);
// RssAnon of /proc/<pid>/status in bytes (0 if unreadable).
uint64_t rss_anon_bytes(pid_t pid);
// TSC frequency, measured against CLOCK_MONOTONIC over `ms` milliseconds.
double measure_tsc_hz(int ms = 200);

}  // namespace maglb::bench
