// process_burst: docs/forwarding.md sections 2-7 over a burst, in stages so
// the flow-table cache misses of the whole burst overlap (TESTBED.md: one
// prefetched 64-byte bucket per flow is what reaches line rate).
#include <cstring>

#include "encap.h"
#include "flow_key.h"
#include "parser.h"
#include "worker.h"

namespace maglb::core {
namespace {

enum class Stage : uint8_t { Done, Flow, Fragment, IcmpError };

struct Meta {
  Parsed p;
  const VipEntry *vip;
  uint32_t hash_flow;  // table_hash_words of the full key: flow-table position
  // maglb_flow_hash of the key masked per the VIP: Maglev slot and entropy.
  // Tracked flows take it from their entry; it is computed for new ones.
  uint32_t hash_sel;
  Stage stage;
  bool sel_ready;  // hash_sel already computed (a flow stage B found to be new)
  // Stage B's find: the flow's way in its primary bucket (-1: not there)
  // and the table's writes() then. Stage C reuses it when no store came
  // between (steady state), skipping the key compare of a second lookup.
  int32_t way_b;
  uint32_t writes_b;
};

inline void count(WorkerContext &ctx, maglb_counter c, uint64_t n = 1) {
  ctx.counters.v[c] += n;
}

// The last exact-port match of this pass: traffic to one VIP (the common
// case) skips the index's hash and probe (callgrind, core_bench at 10k
// flows: about 20 instructions a packet). tail 0 never matches a real key
// (its family byte is 4 or 6), so the zeroed memo starts empty.
struct VipMemo {
  uint64_t a = 0, b = 0;
  uint32_t tail = 0;
  const VipEntry *e = nullptr;
};

// docs/forwarding.md section 2: exact port first, then port 0 (ALL_PORTS
// for any packet, FRAG_ONLY for non-first fragments only). The VIP key is
// never stored: its words go to the index straight from the flow key.
inline const VipEntry *match_vip(const Snapshot &snap, const Parsed &p, VipMemo &memo) {
  const uint64_t a = p.key.w[2], b = p.key.w[3];
  if (!p.later_fragment && words_dport(p.key) != 0) {
    const uint32_t tail = vip_tail_of(p.key, false);
    if (((a ^ memo.a) | (b ^ memo.b) | (tail ^ memo.tail)) == 0) return memo.e;
    const VipEntry *e = snap.find_vip_words(a, b, tail);
    if (e) {  // a non-zero port entry carries no port-0 flag (validated)
      memo = VipMemo{a, b, tail, e};
      return e;
    }
  }
  const VipEntry *e = snap.find_vip_words(a, b, vip_tail_of(p.key, true));
  if (!e) return nullptr;
  if (e->meta.flags & MAGLB_VIP_F_ALL_PORTS) return e;
  if ((e->meta.flags & MAGLB_VIP_F_FRAG_ONLY) && p.later_fragment) return e;
  return nullptr;
}

inline maglb_slot_t maglev_slot(const VipEntry &vip, uint32_t hash) {
  return vip.table[maglb_slot_of(hash, vip.meta.table_size)];
}

// Section 5: connection tracking for a TCP/UDP packet. Returns a backend
// index or MAGLB_SLOT_EMPTY.
inline uint32_t spec_hash(const Meta &m) {
  const uint8_t fields = m.vip->meta.hash_fields;
  return flow_hash_words(fields == MAGLB_HASH_5TUPLE ? m.p.key : mask_words(m.p.key, fields));
}

inline uint32_t select_tracked(WorkerContext &ctx, const Snapshot &snap, Meta &m, uint32_t now_u,
                               const FlowTable::Timeouts &to) {
  FlowTable &ft = ctx.flows;
  const FlowTable::Lookup r = m.way_b >= 0 && ft.writes() == m.writes_b
                                  ? ft.lookup_known(m.hash_flow, m.way_b, now_u, to)
                                  : ft.lookup(m.hash_flow, m.p.key, now_u, to);
  if (r.slot.way >= 0) {
    if (r.expired) {
      count(ctx, MAGLB_C_FLOW_EXPIRED);
    } else {
      const FlowValue e = FlowTable::value_at(r.value);
      const int32_t idx = snap.backend_by_id(e.backend_id, e.backend_hint);
      if (idx >= 0) {
        count(ctx, MAGLB_C_FLOW_HIT);
        FlowTable::touch_at(r.value, now_u);
        if (e.backend_hint != idx)
          FlowTable::set_backend_hint_at(r.value, static_cast<uint16_t>(idx));
        m.hash_sel = e.select_hash;
        return static_cast<uint32_t>(idx);
      }
      count(ctx, MAGLB_C_FLOW_REBALANCED);
    }
  }
  if (!m.sel_ready) m.hash_sel = spec_hash(m);
  const maglb_slot_t slot = maglev_slot(*m.vip, m.hash_sel);
  if (slot == MAGLB_SLOT_EMPTY) return MAGLB_SLOT_EMPTY;
  FlowTable::Slot where = r.slot;
  if (where.way < 0) {
    uint32_t evicted = 0;
    where = ft.victim(m.hash_flow, words_family(m.p.key) == MAGLB_FAMILY_IPV6, now_u, to, &evicted);
    if (where.way < 0) return slot;  // table not initialised: forward untracked
    count(ctx, MAGLB_C_FLOW_EVICTED, evicted);
  }
  ft.store(where, m.hash_flow, m.p.key,
           FlowValue{snap.backends()[slot].id, m.hash_sel, static_cast<uint16_t>(slot)}, now_u);
  count(ctx, MAGLB_C_FLOW_NEW);
  ctx.vip_stats[m.vip->meta.vip_index].new_flows++;
  ctx.backend_stats[slot].new_flows++;
  return slot;
}

// Section 4: the flow entry of the (reversed) quoted flow if live and its
// backend still exists, else the Maglev slot. Never inserts or refreshes.
inline uint32_t select_icmp(WorkerContext &ctx, const Snapshot &snap, const Meta &m, uint32_t now_u,
                            const FlowTable::Timeouts &to) {
  const FlowTable::Lookup r = ctx.flows.lookup(m.hash_flow, m.p.key, now_u, to);
  if (r.slot.way >= 0 && !r.expired) {
    const FlowValue e = FlowTable::value_at(r.value);
    const int32_t idx = snap.backend_by_id(e.backend_id, e.backend_hint);
    if (idx >= 0) return static_cast<uint32_t>(idx);
  }
  return maglev_slot(*m.vip, m.hash_sel);
}

// Sections 6 and 7 for a packet whose backend is chosen.
inline Verdict forward(WorkerContext &ctx, const Snapshot &snap, const NeighborTable &neigh,
                       Packet &pk, const Meta &m, uint32_t bi) {
  const maglb_backend &be = snap.backends()[bi];
  const maglb_dp_params &pr = snap.params();
  const uint8_t method = m.vip->meta.fwd_method;
  const uint16_t ov = encap_overhead(method, be.family);
  const FrameLayout f{m.p.l2_len, m.p.ip_len, m.p.tos};
  const uint16_t in_len = pk.len;
  if (uint32_t{m.p.ip_len} + ov > pr.mtu) {
    const uint8_t family = words_family(m.p.key);
    // Never an ICMP error about an ICMP error (RFC 1122 3.2.2, RFC 4443 2.4).
    if ((pr.flags & MAGLB_DP_F_ICMP_TOO_BIG) && m.stage != Stage::IcmpError &&
        (family == MAGLB_FAMILY_IPV6 || m.p.df)) {
      const uint8_t *ip = pk.data + f.l2_len;
      const uint32_t room = uint32_t{pk.len} + pk.tailroom - f.l2_len;
      if (icmp_too_big_reply_len(family, ip, f.ip_len) > room) {
        count(ctx, MAGLB_C_DROP_NO_HEADROOM);
        return Verdict::Drop;
      }
      write_icmp_too_big(pk, f, family, pr.mtu - ov);
      count(ctx, MAGLB_C_TX_ICMP_GENERATED);
      return Verdict::Tx;
    }
    count(ctx, MAGLB_C_DROP_TOO_BIG);
    return Verdict::Drop;
  }
  static const uint8_t kZeroMac[6] = {};
  const uint8_t *mac;
  if (method == MAGLB_FWD_L2 && std::memcmp(be.mac, kZeroMac, 6) != 0)
    mac = be.mac;
  else
    mac = ctx.next_hop(snap, neigh, bi);
  if (!mac) {
    count(ctx, MAGLB_C_DROP_NO_NEIGHBOR);
    return Verdict::Drop;
  }
  if (ov > pk.headroom) {
    count(ctx, MAGLB_C_DROP_NO_HEADROOM);
    return Verdict::Drop;
  }
  if (method == MAGLB_FWD_L2) {
    rewrite_l2(pk, f, mac, neigh.port_mac());
    count(ctx, MAGLB_C_FWD_L2);
  } else {
    encap_tunnel(pk, f, method, be, pr, m.hash_sel, mac, neigh.port_mac());
    count(ctx, method == MAGLB_FWD_GUE ? MAGLB_C_FWD_GUE : MAGLB_C_FWD_IPIP);
  }
  count(ctx, MAGLB_C_TX_FORWARDED);
  if (m.stage == Stage::IcmpError) count(ctx, MAGLB_C_ICMP_ERROR_FORWARDED);
  maglb_traffic_stats &vs = ctx.vip_stats[m.vip->meta.vip_index];
  vs.packets++;
  vs.bytes += in_len;
  maglb_traffic_stats &bs = ctx.backend_stats[bi];
  bs.packets++;
  bs.bytes += in_len;
  return Verdict::Tx;
}

// Stage A: parse, match the VIP, hash, prefetch the flow bucket line.
inline void stage_parse(WorkerContext &ctx, const Snapshot &snap, Packet &pk, Meta &m,
                        Verdict &verdict, VipMemo &memo) {
  m.stage = Stage::Done;
  m.sel_ready = false;
  m.way_b = -1;
  if (!parse_frame_fast(pk.data, pk.len, &m.p)) parse_frame(pk.data, pk.len, &m.p);
  if (m.p.kind == ParseKind::Drop) {
    count(ctx, static_cast<maglb_counter>(m.p.drop_counter));
    verdict = Verdict::Drop;
    return;
  }
  if (m.p.kind == ParseKind::Pass || !(m.vip = match_vip(snap, m.p, memo))) {
    count(ctx, MAGLB_C_PASS_TO_KERNEL);
    verdict = Verdict::Pass;
    return;
  }
  // Tunnel semantics: the inner header is not decremented, so a packet
  // that would expire at this hop is refused rather than forwarded.
  if (m.p.ttl <= 1) {
    count(ctx, MAGLB_C_DROP_TTL_EXCEEDED);
    verdict = Verdict::Drop;
    return;
  }
  if (m.p.kind == ParseKind::Fragment) {
    count(ctx, MAGLB_C_FRAGMENTS);
    m.hash_sel = flow_hash_words(mask_words(m.p.key, MAGLB_HASH_3TUPLE));
    m.stage = Stage::Fragment;
    return;
  }
  m.hash_flow = table_hash_words(m.p.key);
  if (m.p.kind == ParseKind::Flow) {
    m.stage = Stage::Flow;
  } else {
    m.stage = Stage::IcmpError;
    m.hash_sel = spec_hash(m);
  }
  ctx.flows.prefetch_bucket(m.hash_flow);
}

// Stage C: choose the backend and rewrite.
inline void stage_forward(WorkerContext &ctx, const Snapshot &snap, const NeighborTable &neigh,
                          Packet &pk, Meta &m, Verdict &verdict, uint32_t now_u,
                          const FlowTable::Timeouts &to) {
  if (m.stage == Stage::Done) return;
  uint32_t bi;
  if (m.stage == Stage::Flow)
    bi = select_tracked(ctx, snap, m, now_u, to);
  else if (m.stage == Stage::IcmpError)
    bi = select_icmp(ctx, snap, m, now_u, to);
  else
    bi = maglev_slot(*m.vip, m.hash_sel);
  if (bi == MAGLB_SLOT_EMPTY) {
    count(ctx, MAGLB_C_DROP_NO_BACKEND);
    verdict = Verdict::Drop;
    return;
  }
  verdict = forward(ctx, snap, neigh, pk, m, bi);
}

// Stage B: the primary line is (mostly) in. A flow it proves new (the
// common case in a SYN flood) gets its Maglev slot computed and that table
// line prefetched here, so stage C's insert does not wait for it.
inline void stage_probe(const FlowTable &ft, Meta &m) {
  m.writes_b = ft.writes();
  if (!ft.probe_primary(m.hash_flow, m.p.key, &m.way_b) || m.stage != Stage::Flow) return;
  m.hash_sel = spec_hash(m);
  m.sel_ready = true;
  __builtin_prefetch(&m.vip->table[maglb_slot_of(m.hash_sel, m.vip->meta.table_size)]);
}

inline bool tracked(const Meta &m) {
  return m.stage == Stage::Flow || m.stage == Stage::IcmpError;
}

// Distances, in packets, between the stages of one packet. At 1M flows a
// bucket is a DRAM access (and likely a TLB miss: a nested walk under KVM),
// and one flow in ten also needs its secondary bucket, known only once the
// primary is read; a packet's stages run kLag* steps apart so that other
// packets' work covers each access. The stages of different packets
// interleave, but each stage runs in packet order and only stage C writes
// the table, so a flow's second packet in a burst still sees the entry its
// first one inserted. Measured with tests/packets/core_bench at 1M flows:
// lags from 8 to 24 made no difference beyond the noise, and issuing all
// of the burst's bucket prefetches back to back after parsing was 25%
// slower than interleaving them with the parsing as here.
constexpr int kLagPrimary = 8;    // stage A (primary prefetch) -> B (secondary prefetch)
constexpr int kLagSecondary = 8;  // B -> C (lookup, insert, rewrite)

void process_pass(WorkerContext &ctx, const Snapshot &snap, const NeighborTable &neigh,
                  Packet *pkts, Verdict *verdicts, uint16_t n, uint64_t now_ns) {
  Meta meta[kMaxBurst];
  const uint32_t now_u = FlowTable::time_units(now_ns);
  const FlowTable::Timeouts to = FlowTable::timeouts_from_params(snap.params());
  uint64_t rx_bytes = 0;
  const FlowTable &ft = ctx.flows;
  VipMemo memo;

  const int steps = n + kLagPrimary + kLagSecondary;
  for (int t = 0; t < steps; ++t) {
    if (t < n) {
      if (t + 2 < n) __builtin_prefetch(pkts[t + 2].data);
      rx_bytes += pkts[t].len;
      stage_parse(ctx, snap, pkts[t], meta[t], verdicts[t], memo);
    }
    // Stage B: the primary line is (mostly) in.
    const int b = t - kLagPrimary;
    if (b >= 0 && b < n && tracked(meta[b])) stage_probe(ft, meta[b]);
    const int c = b - kLagSecondary;
    if (c >= 0 && c < n) stage_forward(ctx, snap, neigh, pkts[c], meta[c], verdicts[c], now_u, to);
  }
  count(ctx, MAGLB_C_RX_PACKETS, n);
  count(ctx, MAGLB_C_RX_BYTES, rx_bytes);
}

}  // namespace

void process_burst(WorkerContext &ctx, const Snapshot &snap, const NeighborTable &neigh,
                   Packet *pkts, Verdict *verdicts, uint16_t n, uint64_t now_ns) {
  ctx.follow_snapshot(snap);
  ctx.follow_neighbors(snap, neigh);
  while (n > 0) {
    const uint16_t chunk = n < kMaxBurst ? n : kMaxBurst;
    process_pass(ctx, snap, neigh, pkts, verdicts, chunk, now_ns);
    pkts += chunk;
    verdicts += chunk;
    n = static_cast<uint16_t>(n - chunk);
  }
}

}  // namespace maglb::core
