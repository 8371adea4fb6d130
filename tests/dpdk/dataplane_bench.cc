// Throughput of maglb-dataplane on one worker core against a ceiling
// measured in the same run: dpdk-testpmd macswap on the same input.
// Both read a pcap of `--flows` 64-byte TCP frames (one per flow, all to
// one IPIP VIP) with net_pcap infinite_rx and drop on transmit (no tx
// devargs), so the difference is the load balancer's work. Needs root and
// hugepages; prints medians of --runs runs of --seconds each.
//   dataplane_bench <maglb-dataplane> [--flows N] [--runs N] [--seconds N]
#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <thread>

#include "dataplane_process.h"
#include "packet_builder.h"
#include "pcap_file.h"
#include "test_snapshot.h"

using namespace maglb;
using namespace maglb::dpdk_test;
using namespace std::chrono_literals;

namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<std::string> eal(const std::string &prefix, const std::string &pcap) {
  return {"-l",
          "0-1",
          "--no-pci",
          "--file-prefix=" + prefix,
          "--huge-unlink",
          "--log-level=lib.eal:warning",
          "--vdev=net_pcap0,rx_pcap=" + pcap + ",infinite_rx=1"};
}

// Mpps of maglb-dataplane: rx_packets over `seconds`, read over the socket.
double run_maglb(const std::string &binary, const TempDir &dir, const std::string &pcap,
                 uint32_t flows, const std::vector<uint8_t> &blob, int seconds) {
  std::vector<std::string> args = eal("maglb_bench", pcap);
  std::vector<std::string> own = {"--",
                                  "--port",
                                  "net_pcap0",
                                  "--wait-for-table",
                                  "--control-socket",
                                  dir.file("ctl.sock"),
                                  "--mbufs",
                                  std::to_string(flows + 16384),
                                  "--flows-per-core",
                                  std::to_string(std::max<uint32_t>(flows * 2, 65536))};
  args.insert(args.end(), own.begin(), own.end());
  DataplaneProcess dp(binary, args, dir.file("maglb.log"));
  std::string error;
  if (!dp.start(&error)) return std::fprintf(stderr, "%s\n", error.c_str()), 0;
  auto client = dp.connect(dir.file("ctl.sock"), 60s, &error);
  if (!client) return std::fprintf(stderr, "%s\n", error.c_str()), 0;
  client->set_interface(R"({"addresses": ["198.18.0.1/24"], "gateways": ["198.18.0.254"],
      "neighbors": [{"address": "198.18.0.254", "mac": "02:00:00:00:00:fe"}]})");
  auto r = client->install_snapshot(blob);
  if (!r.ok()) return std::fprintf(stderr, "install: %s\n", r.message.c_str()), 0;
  nlohmann::json s;
  std::this_thread::sleep_for(1s);  // warm-up: every flow inserted once
  client->get_stats(&s);
  uint64_t rx0 = s["totals"]["rx_packets"];
  uint64_t fwd0 = s["totals"]["tx_forwarded"];
  auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  client->get_stats(&s);
  double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  uint64_t rx = s["totals"]["rx_packets"].get<uint64_t>() - rx0;
  uint64_t fwd = s["totals"]["tx_forwarded"].get<uint64_t>() - fwd0;
  // The two counters are read a few instructions apart while the worker
  // runs: allow one burst of skew.
  if (rx > fwd + 64)
    std::fprintf(stderr, "warning: %llu of %llu not forwarded\n",
                 static_cast<unsigned long long>(rx - fwd), static_cast<unsigned long long>(rx));
  dp.stop(20s);
  return static_cast<double>(rx) / dt / 1e6;
}

// Mpps of testpmd macswap: the median of its per-second Rx-pps reports.
double run_testpmd(const TempDir &dir, const std::string &pcap, uint32_t flows, int seconds) {
  std::vector<std::string> args = eal("maglb_bench_tp", pcap);
  std::vector<std::string> own = {"--",
                                  "--forward-mode=macswap",
                                  "--no-mlockall",
                                  "--stats-period",
                                  "1",
                                  "--total-num-mbufs",
                                  std::to_string(flows + 16384)};
  args.insert(args.end(), own.begin(), own.end());
  DataplaneProcess tp("/usr/bin/dpdk-testpmd", args, dir.file("testpmd.log"));
  std::string error;
  if (!tp.start(&error)) return 0;
  std::this_thread::sleep_for(std::chrono::seconds(seconds + 2));
  tp.stop(20s);
  std::ifstream in(dir.file("testpmd.log"));
  std::string line;
  std::vector<double> pps;
  std::regex re("Rx-pps:\\s+([0-9]+)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, re)) pps.push_back(std::stod(m[1]) / 1e6);
  }
  if (pps.size() > 2) pps.erase(pps.begin(), pps.begin() + 2);  // start-up seconds
  return median(pps);
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <maglb-dataplane> [--flows N] [--runs N] [--seconds N]\n",
                 argv[0]);
    return 2;
  }
  if (geteuid() != 0) {
    std::printf("SKIP: needs root and hugepages\n");
    return 77;
  }
  uint32_t flows = 10000;
  int runs = 3, seconds = 5;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--flows")) flows = static_cast<uint32_t>(std::atoi(argv[i + 1]));
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atoi(argv[i + 1]);
  }
  TempDir dir;
  std::vector<Frame> frames;
  for (uint32_t f = 0; f < flows; f++) {
    fixtures::TcpOpts tcp;
    tcp.flags = 0x10;
    fixtures::Ip client = fixtures::ip("198.18." + std::to_string(4 + f / 60000 % 200) + "." +
                                       std::to_string(1 + f / 250 % 240));
    client.a[3] = static_cast<uint8_t>(1 + f % 250);
    frames.push_back(
        fixtures::PacketBuilder()
            .Eth(fixtures::mac("02:00:00:00:00:01"), fixtures::mac("02:00:00:00:01:01"))
            .Ipv4(client, fixtures::ip("198.18.1.10"))
            .Tcp(static_cast<uint16_t>(1024 + f % 60000), 80, tcp)
            .Pad(6)  // 60 bytes on the wire without FCS
            .Build());
  }
  std::string error;
  if (!write_pcap(dir.file("in.pcap"), frames, &error))
    return std::fprintf(stderr, "%s\n", error.c_str()), 1;
  std::vector<TestBackend> backends;
  for (uint32_t i = 1; i <= 8; i++) backends.push_back(backend(i, "198.18.2." + std::to_string(i)));
  TestVip vip{vip_key("198.18.1.10", 80, 6), MAGLB_FWD_IPIP, MAGLB_HASH_5TUPLE,
              MAGLB_DEFAULT_TABLE_SIZE, weighted_table(backends, MAGLB_DEFAULT_TABLE_SIZE)};
  maglb_dp_params p{};
  const fixtures::Ip src = fixtures::ip("198.18.0.1");
  std::memcpy(&p.encap_src_v4, src.a, 4);
  p.mtu = 1500;
  p.tcp_idle_timeout_s = 300;
  p.udp_idle_timeout_s = 30;
  std::vector<uint8_t> blob = build_blob(1, p, {vip}, backends);

  std::vector<double> lb, ceiling;
  for (int r = 0; r < runs; r++) {
    ceiling.push_back(run_testpmd(dir, dir.file("in.pcap"), flows, seconds));
    lb.push_back(run_maglb(argv[1], dir, dir.file("in.pcap"), flows, blob, seconds));
    std::printf("run %d: testpmd macswap %.2f Mpps, maglb-dataplane %.2f Mpps\n", r + 1,
                ceiling.back(), lb.back());
    std::fflush(stdout);
  }
  double m_lb = median(lb), m_ceiling = median(ceiling);
  std::printf(
      "median over %d runs, %u flows, 1 worker: testpmd %.2f Mpps, maglb %.2f Mpps "
      "(%.0f%% of the ceiling)\n",
      runs, flows, m_ceiling, m_lb, m_ceiling > 0 ? 100 * m_lb / m_ceiling : 0.0);
  return m_lb > 0 ? 0 : 1;
}
