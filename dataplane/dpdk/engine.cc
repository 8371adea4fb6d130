#include "engine.h"

#include <time.h>

#include <cstdio>
#include <cstring>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "ports.h"

namespace maglb::dpdk {

namespace {

constexpr unsigned kRingSize = 1024;
constexpr uint64_t kNeighborTickNs = 100'000'000;  // resolver timer granularity
constexpr uint16_t kExceptionDesc = 512;

// The table workers run before the first INSTALL_SNAPSHOT: no VIPs, so
// every frame is passed to the kernel (ARP, SSH, BGP keep working) and
// generation 0 is below any real one.
std::vector<uint8_t> empty_snapshot_blob() {
  maglb_snapshot_header h{};
  maglb_dp_params p{};
  p.mtu = 1500;
  h.magic = MAGLB_SNAPSHOT_MAGIC;
  h.abi_version = MAGLB_ABI_VERSION;
  h.header_size = sizeof(h);
  h.total_size = sizeof(h) + sizeof(p);
  std::vector<uint8_t> blob(h.total_size);
  std::memcpy(blob.data(), &h, sizeof(h));
  std::memcpy(blob.data() + sizeof(h), &p, sizeof(p));
  return blob;
}

ControlResponse reply(uint32_t status, std::string body) {
  return {status, std::move(body)};
}

}  // namespace

uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

Engine::~Engine() {
  shutdown();
}

bool Engine::start(const DataplaneOptions &options, std::string *error) {
  options_ = options;
  started_ = true;
  if (!find_or_probe_port(options.port, &port_id_, error)) return false;

  const unsigned worker_lcores = rte_lcore_count() - 1;
  if (worker_lcores < options.queues) {
    *error = "--queues " + std::to_string(options.queues) + " needs as many worker lcores, the " +
             "EAL has " + std::to_string(worker_lcores) + " besides the main one (use -l 0-" +
             std::to_string(options.queues) + ")";
    return false;
  }

  // Enough mbufs for every descriptor, the rings, the per-lcore caches and
  // bursts in flight, unless the operator sized the pool.
  uint32_t n_mbufs = options.mbufs;
  if (n_mbufs == 0) {
    n_mbufs = options.queues * (options.rx_desc + options.tx_desc + 4 * kBurst) +
              options.queues * kExceptionDesc + kExceptionDesc + 2 * kRingSize +
              256 * rte_lcore_count() + 1024;
  }
  pool_ = create_mbuf_pool(n_mbufs, options.mtu, error);
  if (pool_ == nullptr) return false;

  rte_ether_addr mac{};
  rte_eth_macaddr_get(port_id_, &mac);
  std::memcpy(port_mac_.data(), mac.addr_bytes, 6);

  PortPlan plan;
  plan.rx_queues = options.queues;
  plan.tx_queues = 0;  // one per RX queue actually set up
  plan.rx_desc = options.rx_desc;
  plan.tx_desc = options.tx_desc;
  plan.mtu = options.mtu;
  plan.promiscuous = options.promiscuous;
  PortStarted port;
  if (!start_port(port_id_, plan, pool_, &port, error)) return false;
  port_started_ = true;
  if (port.rx_queues == 0) {
    *error = "port " + options.port + " cannot receive (no RX queue)";
    return false;
  }
  if (!port.note.empty()) std::printf("maglb-dataplane: %s\n", port.note.c_str());
  const uint16_t n_workers = port.rx_queues;

  if (!options.exception_tap.empty() || !options.exception_port.empty()) {
    bool ok =
        !options.exception_tap.empty()
            ? create_exception_tap(options.exception_tap, port_mac_, &exception_port_id_, error)
            : find_or_probe_port(options.exception_port, &exception_port_id_, error);
    if (!ok) return false;
    if (exception_port_id_ == port_id_) {
      *error = "the exception port must differ from the forwarding port";
      return false;
    }
    PortPlan eplan;
    eplan.rx_queues = 1;  // read by the control thread only
    eplan.tx_queues = n_workers;
    eplan.rx_desc = kExceptionDesc;
    eplan.tx_desc = kExceptionDesc;
    eplan.promiscuous = false;
    PortStarted eport;
    if (!start_port(exception_port_id_, eplan, pool_, &eport, error)) return false;
    has_exception_port_ = true;
    exception_has_rx_ = eport.rx_queues > 0;
  }

  to_control_ = rte_ring_create("maglb_to_control", kRingSize, static_cast<int>(rte_socket_id()),
                                RING_F_SC_DEQ);
  inject_ = rte_ring_create("maglb_inject", kRingSize, static_cast<int>(rte_socket_id()),
                            RING_F_SP_ENQ | RING_F_SC_DEQ);
  if (to_control_ == nullptr || inject_ == nullptr) {
    *error = std::string("cannot create rings: ") + rte_strerror(rte_errno);
    return false;
  }

  size_t qsbr_size = rte_rcu_qsbr_get_memsize(n_workers);
  qsbr_ = static_cast<rte_rcu_qsbr *>(rte_zmalloc("maglb_qsbr", qsbr_size, RTE_CACHE_LINE_SIZE));
  if (qsbr_ == nullptr || rte_rcu_qsbr_init(qsbr_, n_workers) != 0) {
    *error = "cannot set up the RCU variable for " + std::to_string(n_workers) + " workers";
    return false;
  }
  shared_.qsbr = qsbr_;
  const uint64_t hz = rte_get_tsc_hz();
  shared_.ns_per_tsc_q32 =
      static_cast<uint64_t>((static_cast<unsigned __int128>(1'000'000'000u) << 32) / hz);
  shared_.rx_enabled = !options.wait_for_table;

  std::string why;
  std::vector<uint8_t> empty = empty_snapshot_blob();
  auto snap = core::Snapshot::from_blob(empty, &why);
  if (!snap) {
    *error = "the packet core rejects the empty start-up snapshot: " + why;
    return false;
  }
  shared_.snapshot.publish(std::move(snap), qsbr_);
  resolver_ = std::make_unique<NeighborResolver>(port_mac_, NeighborResolver::Timing{});
  if (!publish_neighbors(error)) return false;

  unsigned lcore = rte_get_next_lcore(-1, 1, 0);
  for (uint16_t i = 0; i < n_workers; i++, lcore = rte_get_next_lcore(lcore, 1, 0)) {
    auto w = std::make_unique<Worker>();
    if (!w->ctx.init(options.flows_per_core, &why)) {
      *error = "worker " + std::to_string(i) + ": " + why;
      return false;
    }
    w->shared = &shared_;
    w->lcore_id = lcore;
    w->rcu_id = i;
    w->port_id = port_id_;
    w->queue_id = i;
    w->has_exception_port = has_exception_port_;
    w->exception_port_id = exception_port_id_;
    w->exception_queue_id = i;
    w->to_control = to_control_;
    w->inject = i == 0 ? inject_ : nullptr;
    if (rte_rcu_qsbr_thread_register(qsbr_, i) != 0) {
      *error = "cannot register worker " + std::to_string(i) + " with RCU";
      return false;
    }
    workers_.push_back(std::move(w));
  }

  server_ = ControlServer::create(options.control_socket, *this, ControlServer::Limits{}, error);
  if (!server_) return false;

  for (auto &w : workers_) {
    int rc = rte_eal_remote_launch(worker_main, w.get(), w->lcore_id);
    if (rc != 0) {
      *error = "cannot launch a worker on lcore " + std::to_string(w->lcore_id) + ": " +
               rte_strerror(-rc);
      shutdown();
      return false;
    }
    workers_launched_ = true;
  }
  std::printf("maglb-dataplane: port %u (%s) with %u worker(s), RSS %s, control socket %s%s\n",
              port_id_, format_mac(port_mac_).c_str(), n_workers, port.rss ? "on" : "off",
              options.control_socket.c_str(),
              options.wait_for_table ? ", waiting for the first table" : "");
  std::fflush(stdout);
  return true;
}

void Engine::shutdown() {
  if (!started_) return;
  started_ = false;
  __atomic_store_n(&shared_.stop, true, __ATOMIC_RELEASE);
  if (workers_launched_) {
    for (auto &w : workers_) rte_eal_wait_lcore(w->lcore_id);
    workers_launched_ = false;
  }
  server_.reset();
  if (port_started_) stop_port(port_id_);
  if (has_exception_port_) stop_port(exception_port_id_);
  port_started_ = has_exception_port_ = false;
  rte_mbuf *m;
  for (rte_ring *r : {to_control_, inject_}) {
    if (r == nullptr) continue;
    while (rte_ring_dequeue(r, reinterpret_cast<void **>(&m)) == 0) rte_pktmbuf_free(m);
    rte_ring_free(r);
  }
  to_control_ = inject_ = nullptr;
  // Workers are offline for good: the published objects go with shared_,
  // the QSBR variable is no longer read.
  rte_free(qsbr_);
  qsbr_ = nullptr;
  shared_.qsbr = nullptr;
  rte_mempool_free(pool_);  // every port using it is closed
  pool_ = nullptr;
}

void Engine::run() {
  uint64_t next_tick = 0;
  while (!__atomic_load_n(&stop_requested_, __ATOMIC_RELAXED)) {
    // The 1 ms poll bounds both the socket's latency and the exception
    // path's: this thread does not busy-poll, so it leaves its core to the
    // host (TESTBED machines have two).
    server_->poll(1);
    poll_exception_port();
    const uint64_t now = monotonic_ns();
    bool changed = poll_neighbor_frames(now);
    if (now >= next_tick) {
      changed |= resolver_->on_timer(now);
      next_tick = now + kNeighborTickNs;
    }
    if (changed) {
      std::string error;
      if (!publish_neighbors(&error)) {
        std::fprintf(stderr, "maglb-dataplane: neighbour table not updated: %s\n", error.c_str());
      }
    }
    send_outgoing();
    if (options_.stats_interval_s != 0 &&
        now - last_stats_print_ns_ >= options_.stats_interval_s * 1'000'000'000ull) {
      last_stats_print_ns_ = now;
      print_stats();
    }
  }
}

ControlResponse Engine::handle(uint16_t type, std::span<const uint8_t> payload) {
  // Control path only: building a snapshot or a stats document allocates,
  // and running out of memory must answer the client, not end the process.
  try {
    switch (type) {
      case MAGLB_CTL_PING:
        return reply(MAGLB_CTL_OK, "pong generation " + std::to_string(generation()));
      case MAGLB_CTL_INSTALL_SNAPSHOT:
        return install_snapshot(payload);
      case MAGLB_CTL_SET_INTERFACE:
        return set_interface(payload);
      case MAGLB_CTL_GET_STATS:
        return reply(MAGLB_CTL_OK, stats_json());
      case MAGLB_CTL_STOP_FORWARDING:
        // The same gate as --wait-for-table: rx_burst is skipped, so no
        // frame is taken in; the next install opens it again.
        __atomic_store_n(&shared_.rx_enabled, false, __ATOMIC_RELEASE);
        return reply(MAGLB_CTL_OK, "forwarding stopped at generation " +
                                       std::to_string(generation()) +
                                       " (RX off until the next install)");
      default:
        return reply(MAGLB_CTL_BAD_REQUEST, "unknown request type " + std::to_string(type));
    }
  } catch (const std::exception &e) {
    return reply(MAGLB_CTL_INTERNAL,
                 std::string("request type ") + std::to_string(type) + " failed: " + e.what());
  }
}

uint64_t Engine::generation() const {
  return shared_.snapshot.current()->generation();
}

ControlResponse Engine::install_snapshot(std::span<const uint8_t> blob) {
  std::string why;
  std::unique_ptr<core::Snapshot> snap = core::Snapshot::from_blob(blob, &why);
  if (!snap) {
    control_.installs_invalid++;
    return reply(MAGLB_CTL_INVALID, "snapshot rejected: " + why);
  }
  const uint64_t current = generation();
  if (snap->generation() <= current) {
    control_.installs_stale++;
    return reply(MAGLB_CTL_STALE, "snapshot generation " + std::to_string(snap->generation()) +
                                      " is not greater than the installed " +
                                      std::to_string(current));
  }
  std::vector<IpAddr> backends;
  backends.reserve(snap->backend_count());
  for (const maglb_backend &b : snap->backends()) {
    IpAddr a;
    a.family = b.family;
    std::memcpy(a.bytes.data(), b.addr, 16);
    backends.push_back(a);
  }
  const uint64_t gen = snap->generation();
  const size_t n_vips = snap->vips().size(), n_backends = snap->backend_count();
  // Returns after the grace period: from here on no worker uses the old table.
  shared_.snapshot.publish(std::move(snap), qsbr_);
  control_.installs++;
  std::string note;
  if (resolver_->set_backends(backends, monotonic_ns())) {
    std::string error;
    if (!publish_neighbors(&error)) note = " (neighbour table not updated: " + error + ")";
  }
  // --wait-for-table: workers start receiving now. The flag only gates
  // rx_burst (read relaxed); the table they then load was published with
  // release/acquire above.
  __atomic_store_n(&shared_.rx_enabled, true, __ATOMIC_RELEASE);
  return reply(MAGLB_CTL_OK, "installed generation " + std::to_string(gen) + " (" +
                                 std::to_string(n_vips) + " vips, " + std::to_string(n_backends) +
                                 " backends)" + note);
}

ControlResponse Engine::set_interface(std::span<const uint8_t> payload) {
  std::string why;
  auto cfg = parse_interface_config(
      std::string_view(reinterpret_cast<const char *>(payload.data()), payload.size()), &why);
  if (!cfg) {
    control_.interface_invalid++;
    return reply(MAGLB_CTL_INVALID, "interface rejected: " + why);
  }
  const size_t n_addr = cfg->addresses.size(), n_gw = cfg->gateways.size(),
               n_static = cfg->neighbors.size();
  resolver_->set_interface(std::move(*cfg), monotonic_ns());
  if (!publish_neighbors(&why)) return reply(MAGLB_CTL_INTERNAL, "neighbour table: " + why);
  control_.interface_sets++;
  return reply(MAGLB_CTL_OK, "interface set: " + std::to_string(n_addr) + " addresses, " +
                                 std::to_string(n_gw) + " gateways, " + std::to_string(n_static) +
                                 " static neighbours");
}

bool Engine::publish_neighbors(std::string *error) {
  const InterfaceConfig &cfg = resolver_->interface();
  std::vector<core::OnLinkPrefix> onlink;
  for (const IpPrefix &p : cfg.onlink_prefixes()) {
    core::OnLinkPrefix o{};
    o.family = p.addr.family;
    std::memcpy(o.addr, p.addr.bytes.data(), 16);
    o.prefix_len = p.len;
    onlink.push_back(o);
  }
  std::vector<core::NeighborEntry> hosts;
  for (const ResolvedNeighbor &n : resolver_->resolved()) {
    core::NeighborEntry e{};
    e.family = n.addr.family;
    std::memcpy(e.addr, n.addr.bytes.data(), 16);
    std::memcpy(e.mac, n.mac.data(), 6);
    hosts.push_back(e);
  }
  // Gateways by address only (MAC zero): the table takes the MAC from
  // `hosts`, so an unresolved gateway resolves to nothing.
  std::vector<core::NeighborEntry> gateways;
  for (const IpAddr &g : cfg.gateways) {
    core::NeighborEntry e{};
    e.family = g.family;
    std::memcpy(e.addr, g.bytes.data(), 16);
    gateways.push_back(e);
  }
  auto table = core::NeighborTable::build(port_mac_.data(), onlink, hosts, gateways, error);
  if (!table) return false;
  shared_.neighbors.publish(std::move(table), qsbr_);
  control_.neighbor_tables++;
  return true;
}

void Engine::inject(rte_mbuf **pkts, unsigned n) {
  unsigned done = rte_ring_sp_enqueue_burst(inject_, reinterpret_cast<void **>(pkts), n, nullptr);
  if (done < n) {
    control_.inject_ring_full += n - done;
    rte_pktmbuf_free_bulk(pkts + done, n - done);
  }
}

void Engine::poll_exception_port() {
  if (!exception_has_rx_) return;
  rte_mbuf *pkts[kBurst];
  // Bounded so a chatty kernel cannot starve the socket and the resolver.
  for (int round = 0; round < 8; round++) {
    uint16_t n = rte_eth_rx_burst(exception_port_id_, 0, pkts, kBurst);
    if (n == 0) return;
    control_.exception_rx += n;
    inject(pkts, n);
    if (n < kBurst) return;
  }
}

bool Engine::poll_neighbor_frames(uint64_t now_ns) {
  bool changed = false;
  rte_mbuf *pkts[kBurst];
  unsigned n;
  while ((n = rte_ring_sc_dequeue_burst(to_control_, reinterpret_cast<void **>(pkts), kBurst,
                                        nullptr)) > 0) {
    for (unsigned i = 0; i < n; i++) {
      // Single-segment frames only reach here (the adapter drops chains).
      changed |= resolver_->on_frame(
          {rte_pktmbuf_mtod(pkts[i], const uint8_t *), pkts[i]->data_len}, now_ns);
    }
    rte_pktmbuf_free_bulk(pkts, n);
  }
  return changed;
}

void Engine::send_outgoing() {
  std::vector<std::vector<uint8_t>> frames = resolver_->take_outgoing();
  rte_mbuf *pkts[kBurst];
  unsigned n = 0;
  for (const std::vector<uint8_t> &f : frames) {
    rte_mbuf *m = rte_pktmbuf_alloc(pool_);
    char *dst = m ? rte_pktmbuf_append(m, static_cast<uint16_t>(f.size())) : nullptr;
    if (dst == nullptr) {
      control_.mbuf_alloc_failed++;
      if (m) rte_pktmbuf_free(m);
      continue;
    }
    std::memcpy(dst, f.data(), f.size());
    pkts[n++] = m;
    if (n == kBurst) {
      inject(pkts, n);
      n = 0;
    }
  }
  if (n > 0) inject(pkts, n);
}

}  // namespace maglb::dpdk
