// Every packet fixture through process_mbuf_burst on real mbufs (EAL
// without hugepages or devices): verdict, output bytes, counter deltas,
// mbuf bookkeeping (lengths, offsets, no leaks).
#include <gtest/gtest.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <cstring>
#include <string>
#include <vector>

#include "core_runner.h"
#include "fixtures.h"
#include "mbuf_burst.h"

namespace maglb::fixtures {
namespace {

struct Dpdk {
  bool ok = false;
  std::string why;
  rte_mempool *pool = nullptr;
};

// EAL can be initialised once per process.
const Dpdk &dpdk() {
  static const Dpdk d = [] {
    Dpdk r;
    const char *argv[] = {
        "dpdk_fixtures_test",      "-l",   "0", "--no-huge", "-m", "512", "--no-shconf", "--no-pci",
        "--log-level=lib.*:error", nullptr};
    if (rte_eal_init(9, const_cast<char **>(argv)) < 0) {
      r.why = std::string("rte_eal_init failed (needs root): ") + rte_strerror(rte_errno);
      return r;
    }
    r.pool =
        rte_pktmbuf_pool_create("fixtures", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    if (!r.pool) {
      r.why = std::string("mempool: ") + rte_strerror(rte_errno);
      return r;
    }
    r.ok = true;
    return r;
  }();
  return d;
}

#define REQUIRE_DPDK()                          \
  do {                                          \
    if (!dpdk().ok) GTEST_SKIP() << dpdk().why; \
  } while (0)

rte_mbuf *mbuf_of(const std::vector<uint8_t> &frame) {
  rte_mbuf *m = rte_pktmbuf_alloc(dpdk().pool);
  if (!m) return nullptr;
  char *p = rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size()));
  if (!p) {
    rte_pktmbuf_free(m);
    return nullptr;
  }
  std::memcpy(p, frame.data(), frame.size());
  return m;
}

struct Env {
  Env() {
    snap = core::Snapshot::from_blob(fixture_snapshot_blob(), &err);
    neigh = fixture_neighbors();
    ctx = std::make_unique<core::WorkerContext>();
    ok = snap && ctx->init(4096, &err);
  }
  std::string err;
  bool ok = false;
  std::unique_ptr<core::Snapshot> snap;
  std::unique_ptr<core::NeighborTable> neigh;
  std::unique_ptr<core::WorkerContext> ctx;
};

void release(rte_mbuf **m, uint16_t n) {
  for (uint16_t i = 0; i < n; ++i) rte_pktmbuf_free(m[i]);
}

class DpdkFixture : public ::testing::TestWithParam<size_t> {};

TEST_P(DpdkFixture, MatchesExpectation) {
  REQUIRE_DPDK();
  const Fixture &f = all_fixtures()[GetParam()];
  Env e;
  ASSERT_TRUE(e.ok) << e.err;
  const unsigned avail_before = rte_mempool_avail_count(dpdk().pool);
  std::unique_ptr<core::Snapshot> warm;
  if (!f.warmup_blob.empty()) {
    warm = core::Snapshot::from_blob(f.warmup_blob, &e.err);
    ASSERT_TRUE(warm) << e.err;
  }
  rte_mbuf *tx[1], *pass[1];
  for (const auto &w : f.warmup) {
    rte_mbuf *m = mbuf_of(w);
    ASSERT_NE(m, nullptr);
    const auto r = dpdk::process_mbuf_burst(*e.ctx, warm ? *warm : *e.snap, *e.neigh, &m, 1, tx,
                                            pass, kFixtureNowNs);
    release(tx, r.n_tx);
    release(pass, r.n_pass);
  }
  e.ctx->counters = maglb_counters{};
  rte_mbuf *m = mbuf_of(f.input);
  ASSERT_NE(m, nullptr);
  const auto r =
      dpdk::process_mbuf_burst(*e.ctx, *e.snap, *e.neigh, &m, 1, tx, pass, kFixtureNowNs);
  ASSERT_LE(r.n_tx + r.n_pass, 1);
  core::Verdict verdict = core::Verdict::Drop;
  std::vector<uint8_t> out;
  if (r.n_tx + r.n_pass == 1) {
    rte_mbuf *o = r.n_tx ? tx[0] : pass[0];
    verdict = r.n_tx ? core::Verdict::Tx : core::Verdict::Pass;
    EXPECT_EQ(o, m);
    EXPECT_EQ(o->nb_segs, 1);
    EXPECT_EQ(o->pkt_len, o->data_len);
    const auto *d = rte_pktmbuf_mtod(o, const uint8_t *);
    out.assign(d, d + o->data_len);
    EXPECT_EQ(d, static_cast<const uint8_t *>(o->buf_addr) + o->data_off);
    rte_pktmbuf_free(o);
  }
  EXPECT_EQ(rte_mempool_avail_count(dpdk().pool), avail_before) << "mbuf leaked or double-freed";
  const std::string report = check_result(f, verdict, out, e.ctx->counters);
  EXPECT_TRUE(report.empty()) << report;
}

INSTANTIATE_TEST_SUITE_P(All, DpdkFixture, ::testing::Range<size_t>(0, all_fixtures().size()),
                         [](const ::testing::TestParamInfo<size_t> &info) {
                           return all_fixtures()[info.param].name;
                         });

TEST(DpdkBurst, AllFixturesInOneCallGiveTheSameResults) {
  REQUIRE_DPDK();
  Env e;
  ASSERT_TRUE(e.ok) << e.err;
  std::vector<const Fixture *> picked;
  for (const auto &f : all_fixtures())
    if (f.warmup.empty()) picked.push_back(&f);
  ASSERT_GT(picked.size(), size_t{core::kMaxBurst});  // the adapter chunks too
  const unsigned avail_before = rte_mempool_avail_count(dpdk().pool);
  std::vector<rte_mbuf *> in, tx(picked.size()), pass(picked.size());
  for (const Fixture *f : picked) in.push_back(mbuf_of(f->input));
  const auto r = dpdk::process_mbuf_burst(*e.ctx, *e.snap, *e.neigh, in.data(),
                                          static_cast<uint16_t>(in.size()), tx.data(), pass.data(),
                                          kFixtureNowNs);
  // tx[] and pass[] keep input order: walk the fixtures alongside.
  uint16_t it = 0, ip = 0;
  for (const Fixture *f : picked) {
    if (f->verdict == core::Verdict::Drop) continue;
    rte_mbuf *o = f->verdict == core::Verdict::Tx ? (it < r.n_tx ? tx[it++] : nullptr)
                                                  : (ip < r.n_pass ? pass[ip++] : nullptr);
    ASSERT_NE(o, nullptr) << f->name;
    const auto *d = rte_pktmbuf_mtod(o, const uint8_t *);
    EXPECT_EQ(std::vector<uint8_t>(d, d + o->data_len), f->expected) << f->name;
  }
  EXPECT_EQ(it, r.n_tx);
  EXPECT_EQ(ip, r.n_pass);
  release(tx.data(), r.n_tx);
  release(pass.data(), r.n_pass);
  EXPECT_EQ(rte_mempool_avail_count(dpdk().pool), avail_before);
}

TEST(DpdkBurst, MultiSegmentMbufIsDroppedAndCounted) {
  REQUIRE_DPDK();
  Env e;
  ASSERT_TRUE(e.ok) << e.err;
  const unsigned avail_before = rte_mempool_avail_count(dpdk().pool);
  const Fixture &f = all_fixtures()[0];
  rte_mbuf *head = mbuf_of(f.input);
  rte_mbuf *tail = mbuf_of({1, 2, 3, 4});
  ASSERT_EQ(rte_pktmbuf_chain(head, tail), 0);
  rte_mbuf *tx[1], *pass[1];
  const auto r =
      dpdk::process_mbuf_burst(*e.ctx, *e.snap, *e.neigh, &head, 1, tx, pass, kFixtureNowNs);
  EXPECT_EQ(r.n_tx + r.n_pass, 0);
  EXPECT_EQ(e.ctx->counters.v[MAGLB_C_RX_PACKETS], 1u);
  EXPECT_EQ(e.ctx->counters.v[MAGLB_C_RX_BYTES], f.input.size() + 4);
  EXPECT_EQ(e.ctx->counters.v[MAGLB_C_DROP_BAD_L2], 1u);
  EXPECT_EQ(rte_mempool_avail_count(dpdk().pool), avail_before) << "both segments freed";
}

}  // namespace
}  // namespace maglb::fixtures
