#include "proc_stats.h"

#include <x86intrin.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace maglb::bench {

namespace {

std::string read_line(const std::string &path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

std::vector<pid_t> child_pids() {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto &e : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream in(e.path().string() + "/children");
    pid_t p;
    while (in >> p) out.push_back(p);
  }
  return out;
}

std::optional<pid_t> find_thread(pid_t pid, const std::string &comm) {
  std::error_code ec;
  for (const auto &e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    if (read_line(e.path().string() + "/comm") == comm) {
      return static_cast<pid_t>(std::stol(e.path().filename().string()));
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> thread_cpu_ns(pid_t pid, pid_t tid) {
  std::istringstream in(
      read_line("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/schedstat"));
  uint64_t ns = 0;
  if (!(in >> ns)) return std::nullopt;
  return ns;
}

uint64_t rss_anon_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key) {
    if (key == "RssAnon:") {
      uint64_t kb = 0;
      in >> kb;
      return kb * 1024;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return 0;
}

double measure_tsc_hz(int ms) {
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t c0 = __rdtsc();
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  const uint64_t c1 = __rdtsc();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return static_cast<double>(c1 - c0) / s;
}

}  // namespace maglb::bench
