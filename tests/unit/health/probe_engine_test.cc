#include "probe_engine.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "server_fixture.h"

namespace maglb::health {
namespace {

using namespace std::chrono_literals;
using test::kHttpPort;

class ProbeEngineTest : public test::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::string error;
    engine = ProbeEngine::create(64, &error);
    ASSERT_NE(engine, nullptr) << error;
  }

  // A generous default: a probe that should succeed must not fail because
  // a loaded CI machine (sanitizer build, tests in parallel) did not run
  // this process for a few hundred ms. Tests about timeouts pass their own.
  static ProbeRequest req(CheckType type, const char *addr, uint16_t port = kHttpPort,
                          std::chrono::milliseconds timeout = 5000ms) {
    ProbeRequest r;
    r.type = type;
    r.target = *parse_ip(addr);
    r.port = port;
    r.path = "/healthz";
    r.timeout = timeout;
    return r;
  }

  ProbeResult one(const ProbeRequest &r) {
    const auto results = engine->run({r});
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? ProbeResult{} : results[0];
  }

  std::unique_ptr<ProbeEngine> engine;
};

TEST_F(ProbeEngineTest, TcpConnectSucceedsOnIpv4AndIpv6) {
  for (const char *addr : {test::kV4Ok, test::kV6Ok}) {
    const ProbeResult r = one(req(CheckType::kTcp, addr));
    EXPECT_EQ(r.outcome, ProbeOutcome::kSuccess) << addr << ": " << r.reason;
    EXPECT_EQ(r.reason, "connected");
  }
}

TEST_F(ProbeEngineTest, TcpConnectToAClosedPortIsRefused) {
  // A long timeout, so that "well before it" holds on a loaded CI machine.
  for (const ProbeRequest &rq : {req(CheckType::kTcp, test::kV4Refused, kHttpPort, 3000ms),
                                 req(CheckType::kTcp, test::kV4Ok, test::kClosedPort, 3000ms)}) {
    const ProbeResult r = one(rq);
    EXPECT_EQ(r.outcome, ProbeOutcome::kFailure);
    EXPECT_EQ(r.reason, "connect refused");
    EXPECT_LT(r.elapsed, 1500ms) << "a refusal needs no timeout";
  }
}

TEST_F(ProbeEngineTest, UnroutableAddressFailsAtOnce) {
  // Nothing in the namespace routes 198.18.98.0/24: ENETUNREACH from connect().
  const ProbeResult r = one(req(CheckType::kTcp, "198.18.98.1"));
  EXPECT_EQ(r.outcome, ProbeOutcome::kFailure);
  EXPECT_EQ(r.reason, "network unreachable");
}

TEST_F(ProbeEngineTest, HttpOkPasses) {
  const ProbeResult r = one(req(CheckType::kHttp, test::kV4Ok));
  EXPECT_EQ(r.outcome, ProbeOutcome::kSuccess) << r.reason;
  EXPECT_EQ(r.reason, "HTTP 200");
  const ProbeResult r6 = one(req(CheckType::kHttp, test::kV6Ok));
  EXPECT_EQ(r6.outcome, ProbeOutcome::kSuccess) << r6.reason;
}

TEST_F(ProbeEngineTest, HttpStatusIsComparedWithTheExpectedOne) {
  ProbeResult r = one(req(CheckType::kHttp, test::kV4Unavailable));
  EXPECT_EQ(r.outcome, ProbeOutcome::kFailure);
  EXPECT_EQ(r.reason, "HTTP 503 (expected 200)");
  ProbeRequest expect503 = req(CheckType::kHttp, test::kV4Unavailable);
  expect503.expect_status = 503;
  r = one(expect503);
  EXPECT_EQ(r.outcome, ProbeOutcome::kSuccess) << r.reason;
  EXPECT_EQ(r.reason, "HTTP 503");
}

TEST_F(ProbeEngineTest, HttpServerThatNeverAnswersTimesOut) {
  const ProbeResult r = one(req(CheckType::kHttp, test::kV4Hang, kHttpPort, 300ms));
  EXPECT_EQ(r.outcome, ProbeOutcome::kFailure);
  EXPECT_EQ(r.reason, "timeout after 300 ms (waiting for status line)");
  EXPECT_GE(r.elapsed, 300ms);
  // Ended by the timeout, not by anything later (slack for a loaded machine).
  EXPECT_LT(r.elapsed, 1500ms);
  // The same server passes a TCP check: the kernel completes the handshake.
  EXPECT_EQ(one(req(CheckType::kTcp, test::kV4Hang)).outcome, ProbeOutcome::kSuccess);
}

TEST_F(ProbeEngineTest, NonHttpAndSilentServersFail) {
  ProbeResult r = one(req(CheckType::kHttp, test::kV4Ok, test::kGarbagePort));
  EXPECT_EQ(r.outcome, ProbeOutcome::kFailure);
  EXPECT_EQ(r.reason, "malformed status line");
  r = one(req(CheckType::kHttp, test::kV4Ok, test::kSilentPort));
  EXPECT_EQ(r.outcome, ProbeOutcome::kFailure);
  EXPECT_EQ(r.reason, "connection closed without response");
}

// The point of the engine: many hanging backends cost one timeout, not one
// each. A 1 s timeout keeps the bounds far apart (overlapped: about 1 s;
// one after another: 14 s) so scheduling delays on a loaded machine cannot
// blur them.
TEST_F(ProbeEngineTest, ABatchOfHangingProbesTakesAboutOneTimeout) {
  std::vector<ProbeRequest> batch;
  for (int i = 0; i < 10; ++i)
    batch.push_back(req(CheckType::kHttp, test::kV4Hang, kHttpPort, 1000ms));
  for (int i = 0; i < 4; ++i)
    batch.push_back(req(CheckType::kHttp, test::kV6Hang, kHttpPort, 1000ms));
  batch.push_back(req(CheckType::kHttp, test::kV4Ok, kHttpPort, 1000ms));
  batch.push_back(req(CheckType::kTcp, test::kV4Refused, kHttpPort, 1000ms));
  const auto start = std::chrono::steady_clock::now();
  const auto results = engine->run(batch);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(results.size(), batch.size());
  for (size_t i = 0; i < 14; ++i) {
    EXPECT_EQ(results[i].reason, "timeout after 1000 ms (waiting for status line)") << i;
  }
  EXPECT_EQ(results[14].reason, "HTTP 200");
  EXPECT_LT(results[14].elapsed, 500ms) << "a fast backend is not held up by slow ones";
  EXPECT_EQ(results[15].reason, "connect refused");
  EXPECT_GE(took, 1000ms);
  EXPECT_LT(took, 3000ms) << "14 hanging probes must overlap (< 3 timeouts)";
}

TEST_F(ProbeEngineTest, MaxInFlightQueuesTheRest) {
  std::string error;
  auto narrow = ProbeEngine::create(2, &error);
  ASSERT_NE(narrow, nullptr) << error;
  // 500 ms each: two waves of two take 1 s, one at a time would take 2 s.
  std::vector<ProbeRequest> batch(4, req(CheckType::kHttp, test::kV4Hang, kHttpPort, 500ms));
  const auto start = std::chrono::steady_clock::now();
  const auto results = narrow->run(batch);
  const auto took = std::chrono::steady_clock::now() - start;
  for (const ProbeResult &r : results) EXPECT_EQ(r.outcome, ProbeOutcome::kFailure);
  EXPECT_GE(took, 1000ms) << "two waves of two";
  EXPECT_LT(took, 1900ms) << "not one at a time";
}

TEST_F(ProbeEngineTest, SourceAddressIsBoundBeforeConnect) {
  ProbeRequest r = req(CheckType::kHttp, test::kV4Ok);
  r.source = parse_ip(test::kV4Source);
  const ProbeResult ok = one(r);
  EXPECT_EQ(ok.outcome, ProbeOutcome::kSuccess) << ok.reason;
  EXPECT_EQ(ok4->last_peer(), test::kV4Source);

  r.source = parse_ip("198.18.97.1");  // not on this host
  const ProbeResult bad = one(r);
  EXPECT_EQ(bad.outcome, ProbeOutcome::kLocalError);
  EXPECT_EQ(bad.reason.rfind("bind 198.18.97.1: ", 0), 0u) << bad.reason;

  r.source = parse_ip(test::kV6Ok);
  EXPECT_EQ(one(r).outcome, ProbeOutcome::kLocalError) << "family mismatch";
}

TEST_F(ProbeEngineTest, InterruptEndsARunPromptly) {
  std::vector<ProbeRequest> batch(3, req(CheckType::kHttp, test::kV4Hang, kHttpPort, 5000ms));
  std::vector<ProbeResult> results;
  const auto start = std::chrono::steady_clock::now();
  std::thread runner([&] { results = engine->run(batch); });
  engine->interrupt();  // latched: whether run() has started waiting or not
  runner.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);
  ASSERT_EQ(results.size(), 3u);
  for (const ProbeResult &r : results) EXPECT_EQ(r.outcome, ProbeOutcome::kAborted);
  EXPECT_EQ(engine->run(batch)[0].outcome, ProbeOutcome::kAborted) << "stays interrupted";
}

TEST_F(ProbeEngineTest, EmptyBatchReturnsAtOnce) {
  EXPECT_TRUE(engine->run({}).empty());
}

}  // namespace
}  // namespace maglb::health
