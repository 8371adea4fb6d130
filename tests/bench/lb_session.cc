#include "lb_session.h"

#include <chrono>

#include "dataplane_process.h"

namespace maglb::bench {

namespace {
using namespace std::chrono_literals;
}

Fill cycling_flows(const FrameTemplate &frame, uint64_t flows, uint64_t *next) {
  return [&frame, flows, next](rte_mbuf **m, unsigned n) {
    for (unsigned i = 0; i < n; i++) {
      frame.write(rte_pktmbuf_mtod(m[i], uint8_t *), client_flow(*next));
      if (++*next == flows) *next = 0;
    }
  };
}

LbSession::LbSession() = default;
LbSession::~LbSession() {
  stop();
}

bool LbSession::start(unsigned rx_slots, uint32_t flows_per_core, uint16_t frame_size,
                      std::string *error) {
  ack_ = FrameTemplate(frame_size, 0x10);
  port_ = RingPort::create(rx_slots, 16384, error);
  if (!port_) return false;
  rte_mempool *pool = frame_pool(error);
  if (pool == nullptr || !engine_.start(port_->port_id(), flows_per_core, error)) return false;
  pump_ = std::make_unique<Pump>(*port_, pool, ack_.length());
  table_ = make_table(1, default_backends());
  const auto r = engine_.client().install_snapshot(table_.blob);
  if (!r.ok()) *error = "INSTALL_SNAPSHOT: " + r.message;
  return r.ok();
}

bool LbSession::establish(uint64_t flows, std::string *error) {
  auto before = totals();
  uint64_t next = 0;
  const PumpResult r = pump_->run(3600, 0, cycling_flows(ack_, flows, &next), nullptr, flows);
  std::optional<Totals> now;
  const bool ok = before && dpdk_test::wait_until(
                                [&] {
                                  now = totals();
                                  return now && now->flow_new - before->flow_new >= flows;
                                },
                                60s);
  if (!ok) {
    *error = "establishing " + std::to_string(flows) + " flows: sent " + std::to_string(r.offered) +
             ", received " + std::to_string(r.received) + ", flow_new " +
             (now && before ? std::to_string(now->flow_new - before->flow_new) : "?");
  }
  return ok;
}

std::optional<Totals> LbSession::totals() {
  auto s = engine_.stats();
  if (!s) return std::nullopt;
  return Totals::of(*s);
}

void LbSession::stop() {
  pump_.reset();
  engine_.stop();
  port_.reset();
}

}  // namespace maglb::bench
