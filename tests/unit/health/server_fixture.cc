#include "server_fixture.h"

namespace maglb::health::test {

TestServer *ServerFixture::ok4 = nullptr;
TestServer *ServerFixture::ok6 = nullptr;
TestServer *ServerFixture::unavailable = nullptr;
TestServer *ServerFixture::hang_spare = nullptr;
std::vector<std::unique_ptr<TestServer>> *ServerFixture::all_ = nullptr;
std::string *ServerFixture::error_ = nullptr;

void ServerFixture::SetUpTestSuite() {
  all_ = new std::vector<std::unique_ptr<TestServer>>;
  error_ = new std::string;
  if (!netns_skip_reason().empty()) return;
  auto add = [](const std::string &addr, uint16_t port, TestServer::Mode mode) -> TestServer * {
    if (!error_->empty()) return nullptr;
    auto s = TestServer::start(addr, port, mode, error_);
    if (!s) return nullptr;
    all_->push_back(std::move(s));
    return all_->back().get();
  };
  using Mode = TestServer::Mode;
  ok4 = add(kV4Ok, kHttpPort, Mode::kHttp);
  ok6 = add(kV6Ok, kHttpPort, Mode::kHttp);
  unavailable = add(kV4Unavailable, kHttpPort, Mode::kHttp);
  if (unavailable) unavailable->set_status(503);
  add(kV4Hang, kHttpPort, Mode::kHang);
  add(kV6Hang, kHttpPort, Mode::kHang);
  for (int i = 0; i < kExtraHangCount; ++i) {
    TestServer *s = add(extra_hang_address(i), kHttpPort, Mode::kHang);
    if (i == 0) hang_spare = s;
  }
  if (TestServer *g = add(kV4Ok, kGarbagePort, Mode::kRaw)) g->set_raw("SSH-2.0-OpenSSH_9.2\r\n");
  add(kV4Ok, kSilentPort, Mode::kRaw);
}

void ServerFixture::TearDownTestSuite() {
  delete all_;
  delete error_;
  all_ = nullptr;
  error_ = nullptr;
  ok4 = ok6 = unavailable = hang_spare = nullptr;
}

void ServerFixture::SetUp() {
  if (!netns_skip_reason().empty()) GTEST_SKIP() << netns_skip_reason();
  ASSERT_TRUE(error_->empty()) << "test servers: " << *error_;
}

}  // namespace maglb::health::test
