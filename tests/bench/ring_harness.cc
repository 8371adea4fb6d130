#include "ring_harness.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>

#include "bench_traffic.h"
#include "engine.h"
#include "proc_stats.h"

namespace maglb::bench {

namespace {

using namespace std::chrono_literals;

constexpr unsigned kBurst = 32;
constexpr unsigned kForwardLcore = 1;
// Both rings of a port full, plus bursts in flight and the lcore caches.
constexpr unsigned kPoolFrames = 32767;

std::string unique(const std::string &base) {
  static int n = 0;
  return base + std::to_string(n++);
}

}  // namespace

bool init_eal(std::string *error) {
  static int rc = [] {
    std::vector<std::string> args = {"maglb_bench_ring",
                                     "-l",
                                     "0-1",
                                     "--no-pci",
                                     "--file-prefix=maglb_bench_ring_" + std::to_string(getpid()),
                                     "--huge-unlink",
                                     "--log-level=lib.eal:warning"};
    std::vector<char *> argv;
    for (auto &a : args) argv.push_back(a.data());
    return rte_eal_init(static_cast<int>(argv.size()), argv.data());
  }();
  if (rc < 0)
    *error = std::string("rte_eal_init failed (root and hugepages?): ") + rte_strerror(rte_errno);
  return rc >= 0;
}

double tsc_hz() {
  return static_cast<double>(rte_get_tsc_hz());
}

std::unique_ptr<RingPort> RingPort::create(unsigned rx_slots, unsigned tx_slots,
                                           std::string *error) {
  auto p = std::unique_ptr<RingPort>(new RingPort());
  const int socket = static_cast<int>(rte_socket_id());
  // Single producer and consumer on each ring: this thread and the lcore.
  p->rx_ = rte_ring_create(unique("bench_rx").c_str(), rx_slots, socket,
                           RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
  p->tx_ = rte_ring_create(unique("bench_tx").c_str(), tx_slots, socket,
                           RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
  if (p->rx_ == nullptr || p->tx_ == nullptr) {
    *error = std::string("rte_ring_create: ") + rte_strerror(rte_errno);
    return nullptr;
  }
  const int port = rte_eth_from_rings(unique("net_ring_bench").c_str(), &p->rx_, 1, &p->tx_, 1,
                                      static_cast<unsigned>(socket));
  if (port < 0) {
    *error = std::string("rte_eth_from_rings: ") + rte_strerror(rte_errno);
    return nullptr;
  }
  p->port_ = static_cast<uint16_t>(port);
  return p;
}

RingPort::~RingPort() {
  rte_mbuf *m;
  for (rte_ring *r : {rx_, tx_}) {
    if (r == nullptr) continue;
    while (rte_ring_dequeue(r, reinterpret_cast<void **>(&m)) == 0) rte_pktmbuf_free(m);
    rte_ring_free(r);
  }
}

EngineUnderTest::EngineUnderTest() : socket_(dir_.file("ctl.sock")) {}

EngineUnderTest::~EngineUnderTest() {
  stop();
}

bool EngineUnderTest::start(uint16_t port, uint32_t flows_per_core, std::string *error) {
  engine_ = std::make_unique<dpdk::Engine>();
  dpdk::DataplaneOptions o;
  o.port = std::to_string(port);
  o.control_socket = socket_;
  o.flows_per_core = flows_per_core;
  if (!engine_->start(o, error)) {
    engine_->shutdown();
    engine_.reset();
    return false;
  }
  control_ = std::thread([this] { engine_->run(); });
  client_ = dpdk_client::Client::connect(socket_, 60s, error);
  if (!client_) return false;
  const auto r = client_->set_interface(interface_json());
  if (!r.ok()) *error = "SET_INTERFACE: " + r.message;
  return r.ok();
}

void EngineUnderTest::stop() {
  if (!engine_) return;
  if (control_.joinable()) {
    engine_->request_stop();
    control_.join();
  }
  client_.reset();
  engine_->shutdown();
  engine_.reset();
}

std::optional<nlohmann::json> EngineUnderTest::stats() {
  nlohmann::json s;
  if (!client_ || !client_->get_stats(&s).ok()) return std::nullopt;
  return s;
}

MacswapLcore::~MacswapLcore() {
  stop();
}

bool MacswapLcore::start(uint16_t port, rte_mempool *pool, std::string *error) {
  port_ = port;
  rte_eth_conf conf{};
  const unsigned socket = rte_socket_id();
  if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
      rte_eth_rx_queue_setup(port, 0, 1024, socket, nullptr, pool) != 0 ||
      rte_eth_tx_queue_setup(port, 0, 1024, socket, nullptr) != 0 || rte_eth_dev_start(port) != 0) {
    *error = "cannot start the macswap port";
    return false;
  }
  __atomic_store_n(&stop_, false, __ATOMIC_RELAXED);
  if (rte_eal_remote_launch(loop, this, kForwardLcore) != 0) {
    *error = "lcore 1 is busy";
    rte_eth_dev_stop(port);
    rte_eth_dev_close(port);
    return false;
  }
  running_ = true;
  return true;
}

int MacswapLcore::loop(void *arg) {
  auto *self = static_cast<MacswapLcore *>(arg);
  rte_mbuf *pkts[kBurst];
  while (!__atomic_load_n(&self->stop_, __ATOMIC_RELAXED)) {
    const uint16_t n = rte_eth_rx_burst(self->port_, 0, pkts, kBurst);
    for (uint16_t i = 0; i < n; i++) {
      auto *eth = rte_pktmbuf_mtod(pkts[i], rte_ether_hdr *);
      const rte_ether_addr a = eth->dst_addr;
      eth->dst_addr = eth->src_addr;
      eth->src_addr = a;
    }
    const uint16_t sent = rte_eth_tx_burst(self->port_, 0, pkts, n);
    if (sent < n) rte_pktmbuf_free_bulk(pkts + sent, n - sent);
  }
  return 0;
}

void MacswapLcore::stop() {
  if (!running_) return;
  __atomic_store_n(&stop_, true, __ATOMIC_RELAXED);
  rte_eal_wait_lcore(kForwardLcore);
  rte_eth_dev_stop(port_);
  rte_eth_dev_close(port_);
  running_ = false;
}

rte_mempool *frame_pool(std::string *error) {
  static rte_mempool *pool =
      rte_pktmbuf_pool_create("bench_frames", kPoolFrames, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                              static_cast<int>(rte_socket_id()));
  if (pool == nullptr) *error = std::string("frame pool: ") + rte_strerror(rte_errno);
  return pool;
}

Pump::Pump(const RingPort &port, rte_mempool *pool, uint16_t frame_len)
    : to_dp_(port.to_dataplane()),
      from_dp_(port.from_dataplane()),
      frame_len_(frame_len),
      pool_(pool) {
  free_.reserve(kPoolFrames);
  worker_tid_ = find_thread(getpid(), "rte-worker-1").value_or(0);
}

Pump::~Pump() {
  if (!free_.empty()) rte_pktmbuf_free_bulk(free_.data(), static_cast<unsigned>(free_.size()));
}

unsigned Pump::take(rte_mbuf **m, unsigned n) {
  unsigned got = 0;
  while (got < n && !free_.empty()) {
    m[got++] = free_.back();
    free_.pop_back();
  }
  if (got < n && rte_pktmbuf_alloc_bulk(pool_, m + got, n - got) == 0) got = n;
  // Only the fields of the mbuf's first cache line that the dataplane
  // changed: rte_pktmbuf_reset would also write the second line, one more
  // line to pull back from the forwarding core per frame. Frames here are
  // never chained, so next and nb_segs stay as the pool made them.
  for (unsigned i = 0; i < got; i++) {
    m[i]->data_off = RTE_PKTMBUF_HEADROOM;
    m[i]->data_len = frame_len_;
    m[i]->pkt_len = frame_len_;
    m[i]->ol_flags = 0;
    m[i]->packet_type = 0;
  }
  return got;
}

unsigned Pump::receive(const Check &check) {
  rte_mbuf *out[2 * kBurst];
  const unsigned n =
      rte_ring_sc_dequeue_burst(from_dp_, reinterpret_cast<void **>(out), 2 * kBurst, nullptr);
  if (n == 0) return 0;
  // The frames come from the other core's cache: ask for all their lines
  // at once rather than one miss at a time.
  for (unsigned i = 0; i < n; i++) rte_prefetch0(out[i]);
  if (check) check(out, n);
  free_.insert(free_.end(), out, out + n);
  return n;
}

PumpResult Pump::run(double seconds, double rate_pps, const Fill &fill, const Check &check,
                     uint64_t max_packets) {
  PumpResult r;
  const double hz = tsc_hz();
  const double per_tick = rate_pps / hz;
  uint64_t enqueued = 0, skipped = 0;
  const pid_t self = gettid();
  const uint64_t cpu0 = worker_tid_ ? thread_cpu_ns(getpid(), worker_tid_).value_or(0) : 0;
  const uint64_t own0 = thread_cpu_ns(getpid(), self).value_or(0);
  const uint64_t t0 = rte_rdtsc();
  const uint64_t end = t0 + static_cast<uint64_t>(seconds * hz);
  uint64_t now = t0;
  rte_mbuf *burst[kBurst];
  const uint64_t max_backlog = std::max<uint64_t>(2 * kBurst, rte_ring_get_capacity(to_dp_) / 2);
  unsigned pending = 0;  // filled frames in burst[] still to be enqueued (unpaced)
  uint64_t turns = 0, fill_samples = 0, fill_sum = 0;
  while ((now = rte_rdtsc()) < end && (max_packets == 0 || r.offered < max_packets)) {
    if ((++turns & 255) == 0) {
      fill_sum += rte_ring_count(to_dp_);
      fill_samples++;
    }
    r.received += receive(check);
    unsigned want = kBurst;
    if (max_packets)
      want = static_cast<unsigned>(std::min<uint64_t>(want, max_packets - r.offered));
    if (rate_pps > 0) {
      const auto due_total = static_cast<uint64_t>(static_cast<double>(now - t0) * per_tick);
      if (due_total <= r.offered + skipped) continue;
      uint64_t due = due_total - r.offered - skipped;
      if (due > max_backlog) {
        // The sender lost its core for a long while. Frames a NIC would
        // have queued meanwhile are sent now, up to half the ring; longer
        // gaps are skipped (counted) rather than dumped as one huge burst
        // that the dataplane could never have met in reality.
        r.sender_late++;
        skipped += due - max_backlog;
        due = max_backlog;
      }
      want = static_cast<unsigned>(std::min<uint64_t>(want, due));
    }
    // Unpaced, frames the full ring refused are offered again as they are:
    // refilling them would skip their flows.
    const unsigned k = pending > 0 ? pending : take(burst, want);
    if (k == 0) {
      r.no_frames++;
      continue;
    }
    if (pending == 0) fill(burst, k);
    const unsigned sent =
        rte_ring_sp_enqueue_burst(to_dp_, reinterpret_cast<void **>(burst), k, nullptr);
    enqueued += sent;
    r.sends_refused += sent == 0;
    if (rate_pps > 0) {
      r.offered += k;
      r.ring_full += k - sent;
      free_.insert(free_.end(), burst + sent, burst + k);
    } else {
      r.offered += sent;
      pending = k - sent;
      std::memmove(burst, burst + sent, pending * sizeof(burst[0]));
    }
  }
  free_.insert(free_.end(), burst, burst + pending);
  r.seconds = static_cast<double>(now - t0) / hz;
  r.worker_cpu_ns = (worker_tid_ ? thread_cpu_ns(getpid(), worker_tid_).value_or(0) : 0) - cpu0;
  r.sender_cpu_ns = thread_cpu_ns(getpid(), self).value_or(0) - own0;
  if (fill_samples > 0) {
    r.rx_ring_fill = static_cast<double>(fill_sum) / static_cast<double>(fill_samples) /
                     rte_ring_get_capacity(to_dp_);
  }
  r.in_window = r.received;
  // Drain: every enqueued frame comes back unless the dataplane dropped it.
  // Frames still in the RX ring have not been seen by the worker yet (on a
  // loaded host it can be off the CPU for a while): wait for the ring to
  // empty, then for a quiet period with nothing coming back, so the
  // counters read after this are quiescent. Bounded by a hard limit.
  const uint64_t quiet = hz;
  const uint64_t drain_start = rte_rdtsc(), limit = 30 * hz;
  uint64_t last = drain_start;
  while (r.received < enqueued) {
    const unsigned n = receive(check);
    const uint64_t t = rte_rdtsc();
    if (n > 0) {
      r.received += n;
      last = t;
    } else if (rte_ring_count(to_dp_) == 0 && t - last >= quiet) {
      break;
    }
    if (t - drain_start >= limit) break;
  }
  return r;
}

}  // namespace maglb::bench
