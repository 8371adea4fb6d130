// write_file_atomically and ConfigStore: the config rewrite that runtime
// changes rely on.
#include "atomic_file.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "config_parse.h"
#include "config_store.h"
#include "test_support.h"

namespace maglb::daemon {
namespace {

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/maglbd-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)!std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::string read(const std::string &path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::vector<std::string> entries() {
    std::vector<std::string> out;
    DIR *d = ::opendir(dir_.c_str());
    while (dirent *e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") out.push_back(n);
    }
    ::closedir(d);
    return out;
  }
  mode_t mode_of(const std::string &path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  std::string dir_;
};

TEST_F(TempDir, NewFileGetsContentAndMode0600AndNoTempFileStays) {
  const std::string path = dir_ + "/maglb.json";
  ASSERT_EQ(write_file_atomically(path, "{\"a\": 1}\n"), "");
  EXPECT_EQ(read(path), "{\"a\": 1}\n");
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(entries(), std::vector<std::string>{"maglb.json"});
}

TEST_F(TempDir, ReplacingKeepsTheModeAndIsANewInode) {
  const std::string path = dir_ + "/maglb.json";
  ASSERT_EQ(write_file_atomically(path, "old"), "");
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  // A reader holding the old file keeps reading the old content.
  std::ifstream old_reader(path);
  ASSERT_EQ(write_file_atomically(path, "new content"), "");
  EXPECT_EQ(read(path), "new content");
  EXPECT_EQ(mode_of(path), 0640u);
  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);  // renamed over, not rewritten in place
  std::string old_content;
  old_reader >> old_content;
  EXPECT_EQ(old_content, "old");
  EXPECT_EQ(entries(), std::vector<std::string>{"maglb.json"});
}

TEST_F(TempDir, FailuresLeaveEverythingAsItWas) {
  // Missing directory.
  EXPECT_NE(write_file_atomically(dir_ + "/missing/maglb.json", "x"), "");
  // A directory where the file should be.
  ASSERT_EQ(::mkdir((dir_ + "/sub").c_str(), 0755), 0);
  const std::string e = write_file_atomically(dir_ + "/sub", "x");
  EXPECT_NE(e.find("not a regular file"), std::string::npos) << e;
  EXPECT_EQ(entries(), std::vector<std::string>{"sub"});
}

TEST_F(TempDir, ConfigStoreSavesTheCanonicalFormAndRefusesToOverwriteAnEdit) {
  const std::string path = dir_ + "/maglb.json";
  const std::string text = testing::config_text(R"([{"address": "198.18.0.100", "port": 80,
      "protocol": "tcp", "method": "ipip", "backends": [{"address": "198.18.1.1"}]}])");
  ASSERT_EQ(write_file_atomically(path, text), "");
  ConfigStore store(path);
  std::string content;
  const config::ParseResult r = store.read(&content);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(content, text);
  EXPECT_NE(store.check_unchanged(), "");  // nothing accepted yet
  store.accept(content);
  EXPECT_EQ(store.check_unchanged(), "");

  config::Config changed = *r.config;
  changed.vips[0].backends[0].weight = 7;
  ASSERT_EQ(store.save(changed), "");
  const config::ParseResult back = config::load_config_file(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back.config, changed);
  EXPECT_EQ(store.check_unchanged(), "");

  // An operator edits the file: the next runtime change must not clobber it.
  ASSERT_EQ(write_file_atomically(path, text), "");
  const std::string refused = store.check_unchanged();
  EXPECT_NE(refused.find("changed on disk"), std::string::npos) << refused;
}

TEST_F(TempDir, ConfigStoreReportsAnUnreadableFileAsOneError) {
  ConfigStore store(dir_ + "/absent.json");
  std::string content = "stale";
  const config::ParseResult r = store.read(&content);
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].reason.find("absent.json"), std::string::npos);
  EXPECT_EQ(content, "");
}

}  // namespace
}  // namespace maglb::daemon
