// Snapshot::from_blob: a valid blob installs and answers lookups; each
// validation rule rejects a blob that breaks it, naming the field.
#include "snapshot.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <vector>

namespace maglb::core {
namespace {

struct BlobParts {
  maglb_snapshot_header hdr{};
  maglb_dp_params params{};
  std::vector<maglb_snapshot_vip> vips;
  std::vector<maglb_backend> backends;
  std::vector<maglb_slot_t> slots;

  void fix() {
    {
      hdr.n_vips = static_cast<uint32_t>(vips.size());
      hdr.n_backends = static_cast<uint32_t>(backends.size());
      hdr.total_slots = slots.size();
      hdr.total_size = sizeof(hdr) + sizeof(params) + vips.size() * sizeof(maglb_snapshot_vip) +
                       backends.size() * sizeof(maglb_backend) + slots.size() * 4;
    }
  }
  // fix_sizes: recompute the header counts and sizes from the sections.
  std::vector<uint8_t> bytes(bool fix_sizes = true) {
    if (fix_sizes) fix();
    std::vector<uint8_t> out;
    auto add = [&out](const void *p, size_t n) {
      const size_t at = out.size();
      out.resize(at + n);
      std::memcpy(out.data() + at, p, n);
    };
    add(&hdr, sizeof(hdr));
    add(&params, sizeof(params));
    for (auto &v : vips) add(&v, sizeof(v));
    for (auto &b : backends) add(&b, sizeof(b));
    for (auto &s : slots) add(&s, sizeof(s));
    return out;
  }
};

maglb_snapshot_vip vip(uint8_t last, uint16_t port, uint8_t proto, uint32_t index, uint32_t offset,
                       uint32_t size) {
  maglb_snapshot_vip v{};
  v.key.addr[0] = 198;
  v.key.addr[1] = 18;
  v.key.addr[2] = 100;
  v.key.addr[3] = last;
  v.key.port = htons(port);
  v.key.proto = proto;
  v.key.family = MAGLB_FAMILY_IPV4;
  v.meta.generation = 5;
  v.meta.vip_index = index;
  v.meta.table_size = size;
  v.meta.table_offset = offset;
  v.meta.flags = port == 0 ? MAGLB_VIP_F_ALL_PORTS : 0;
  v.meta.fwd_method = MAGLB_FWD_IPIP;
  v.meta.hash_fields = MAGLB_HASH_5TUPLE;
  return v;
}

maglb_backend backend(uint32_t id, uint8_t last) {
  maglb_backend b{};
  b.addr[0] = 198;
  b.addr[1] = 18;
  b.addr[3] = last;
  b.id = id;
  b.family = MAGLB_FAMILY_IPV4;
  b.weight = 1;
  return b;
}

BlobParts valid() {
  BlobParts p;
  p.hdr.magic = MAGLB_SNAPSHOT_MAGIC;
  p.hdr.abi_version = MAGLB_ABI_VERSION;
  p.hdr.header_size = sizeof(maglb_snapshot_header);
  p.hdr.generation = 5;
  p.params.mtu = 1500;
  p.params.gue_port = htons(6080);
  p.params.src_v4_entropy_bits = 8;
  p.params.src_v6_entropy_bits = 16;
  p.params.flags = MAGLB_DP_F_ICMP_TOO_BIG;
  p.params.tcp_idle_timeout_s = 300;
  p.params.udp_idle_timeout_s = 30;
  // Sorted by key bytes: .1:80 < .1:443 (network order 0x0050 < 0x01bb) < .2:*.
  p.vips = {vip(1, 80, 6, 0, 0, 7), vip(1, 443, 6, 1, 7, 5), vip(2, 0, 6, 2, 12, 3)};
  p.backends = {backend(10, 11), backend(20, 12), backend(30, 13)};
  p.slots = {0, 1, 2, 0, 1, 2, 0, /**/ 2, 2, 1, 1, 0, /**/ MAGLB_SLOT_EMPTY, 1, 1};
  return p;
}

std::string reject(BlobParts p, bool fix_sizes = true) {
  std::string err;
  const auto blob = p.bytes(fix_sizes);
  auto s = Snapshot::from_blob(blob, &err);
  EXPECT_EQ(s, nullptr);
  EXPECT_FALSE(err.empty());
  return err;
}

TEST(Snapshot, ValidBlobInstallsAndAnswers) {
  auto p = valid();
  std::string err;
  const auto blob = p.bytes();
  auto s = Snapshot::from_blob(blob, &err);
  ASSERT_NE(s, nullptr) << err;
  EXPECT_EQ(s->generation(), 5u);
  EXPECT_EQ(s->params().mtu, 1500);
  EXPECT_EQ(s->vips().size(), 3u);
  EXPECT_EQ(s->backend_count(), 3u);
  for (const auto &v : p.vips) {
    const VipEntry *e = s->find_vip(v.key);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->meta.vip_index, v.meta.vip_index);
    EXPECT_EQ(e->table[0], p.slots[v.meta.table_offset]);
  }
  maglb_vip_key absent = p.vips[0].key;
  absent.port = htons(81);
  EXPECT_EQ(s->find_vip(absent), nullptr);
  EXPECT_EQ(s->backend_by_id(10), 0);
  EXPECT_EQ(s->backend_by_id(30), 2);
  EXPECT_EQ(s->backend_by_id(25), -1);
  EXPECT_EQ(s->backend_by_id(0), -1);
  EXPECT_EQ(s->backend_by_id(20, 1), 1);
  EXPECT_EQ(s->backend_by_id(20, 2), 1) << "a wrong hint falls back to the search";
  EXPECT_EQ(s->backend_by_id(20, 999), 1);
}

TEST(Snapshot, EmptySnapshotIsValid) {
  BlobParts p = valid();
  p.vips.clear();
  p.backends.clear();
  p.slots.clear();
  std::string err;
  const auto blob = p.bytes();
  auto s = Snapshot::from_blob(blob, &err);
  ASSERT_NE(s, nullptr) << err;
  EXPECT_EQ(s->find_vip(valid().vips[0].key), nullptr);
}

TEST(Snapshot, ManyVipsAllFound) {
  BlobParts p = valid();
  p.vips.clear();
  p.slots = {0, 1, 2};
  for (uint32_t i = 0; i < MAGLB_MAX_VIPS; ++i)
    p.vips.push_back(vip(1, uint16_t(i + 1), 6, i, 0, 3));
  std::sort(p.vips.begin(), p.vips.end(),
            [](auto &a, auto &b) { return std::memcmp(&a.key, &b.key, sizeof(a.key)) < 0; });
  std::string err;
  const auto blob = p.bytes();
  auto s = Snapshot::from_blob(blob, &err);
  ASSERT_NE(s, nullptr) << err;
  for (const auto &v : p.vips) {
    const VipEntry *e = s->find_vip(v.key);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(std::memcmp(&e->key, &v.key, sizeof(v.key)), 0);
  }
}

struct Case {
  const char *name;
  std::function<void(BlobParts &)> mutate;
  const char *expect;  // substring of the error
  bool fix_sizes = true;
};

class SnapshotRejects : public ::testing::TestWithParam<Case> {};

TEST_P(SnapshotRejects, WithReason) {
  BlobParts p = valid();
  p.fix();  // mutations of header fields apply to a consistent header
  GetParam().mutate(p);
  const std::string err = reject(p, GetParam().fix_sizes);
  EXPECT_NE(err.find(GetParam().expect), std::string::npos) << err;
}

const Case kCases[] = {
    {"magic", [](BlobParts &p) { p.hdr.magic ^= 1; }, "magic"},
    {"abi_version", [](BlobParts &p) { p.hdr.abi_version++; }, "abi version"},
    {"header_size", [](BlobParts &p) { p.hdr.header_size = 48; }, "header_size"},
    {"total_size", [](BlobParts &p) { p.hdr.total_size += 4; }, "total_size", false},
    {"sections_sum",
     [](BlobParts &p) {
       p.hdr.total_slots -= 1;  // total_size still counts it
     },
     "add up", false},
    {"too_many_vips", [](BlobParts &p) { p.hdr.n_vips = MAGLB_MAX_VIPS + 1; }, "n_vips", false},
    {"too_many_backends", [](BlobParts &p) { p.hdr.n_backends = MAGLB_MAX_BACKENDS + 1; },
     "n_backends", false},
    {"huge_total_slots", [](BlobParts &p) { p.hdr.total_slots = 1ull << 62; }, "total_slots",
     false},
    {"v4_entropy", [](BlobParts &p) { p.params.src_v4_entropy_bits = 33; }, "src_v4_entropy_bits"},
    {"v6_entropy", [](BlobParts &p) { p.params.src_v6_entropy_bits = 17; }, "src_v6_entropy_bits"},
    {"mtu", [](BlobParts &p) { p.params.mtu = 67; }, "mtu"},
    {"dp_flags", [](BlobParts &p) { p.params.flags = 0x80; }, "unknown flags"},
    {"gue_port",
     [](BlobParts &p) {
       p.params.gue_port = 0;
       p.vips[0].meta.fwd_method = MAGLB_FWD_GUE;
     },
     "gue_port"},
    {"backend_id_zero", [](BlobParts &p) { p.backends[0].id = 0; }, "id 0"},
    {"backend_unsorted", [](BlobParts &p) { std::swap(p.backends[0], p.backends[1]); }, "strictly"},
    {"backend_duplicate", [](BlobParts &p) { p.backends[1].id = p.backends[0].id; }, "strictly"},
    {"backend_family", [](BlobParts &p) { p.backends[1].family = 5; }, "family"},
    {"backend_v4_tail", [](BlobParts &p) { p.backends[1].addr[9] = 1; }, "addr[4..15]"},
    {"backend_flags", [](BlobParts &p) { p.backends[1].flags = 0x10; }, "unknown flags"},
    {"slot_out_of_range", [](BlobParts &p) { p.slots[3] = 3; }, "slot 3"},
    {"vip_unsorted", [](BlobParts &p) { std::swap(p.vips[0], p.vips[2]); }, "sorted"},
    {"vip_duplicate", [](BlobParts &p) { p.vips[1] = p.vips[0]; }, "duplicate"},
    {"vip_family", [](BlobParts &p) { p.vips[2].key.family = 0; }, "family"},
    {"vip_v4_tail", [](BlobParts &p) { p.vips[2].key.addr[15] = 1; }, "addr[4..15]"},
    {"vip_proto", [](BlobParts &p) { p.vips[2].key.proto = 1; }, "protocol"},
    {"vip_flags_unknown", [](BlobParts &p) { p.vips[2].meta.flags |= 0x40; }, "unknown flags"},
    {"vip_both_port0_flags",
     [](BlobParts &p) { p.vips[2].meta.flags = MAGLB_VIP_F_ALL_PORTS | MAGLB_VIP_F_FRAG_ONLY; },
     "both"},
    {"vip_port0_without_flag", [](BlobParts &p) { p.vips[2].meta.flags = 0; }, "port 0"},
    {"vip_flag_on_port", [](BlobParts &p) { p.vips[0].meta.flags = MAGLB_VIP_F_ALL_PORTS; },
     "port 0"},
    {"vip_method", [](BlobParts &p) { p.vips[0].meta.fwd_method = 4; }, "fwd_method"},
    {"vip_method_zero", [](BlobParts &p) { p.vips[0].meta.fwd_method = 0; }, "fwd_method"},
    {"vip_hash_fields", [](BlobParts &p) { p.vips[0].meta.hash_fields = 9; }, "hash_fields"},
    {"vip_index", [](BlobParts &p) { p.vips[0].meta.vip_index = MAGLB_MAX_VIPS; }, "vip_index"},
    {"vip_generation", [](BlobParts &p) { p.vips[0].meta.generation = 4; }, "generation"},
    {"table_not_prime", [](BlobParts &p) { p.vips[0].meta.table_size = 6; }, "prime"},
    {"table_too_big",
     [](BlobParts &p) {
       p.vips[0].meta.table_size = 5000101;  // prime > MAGLB_MAX_TABLE_SIZE
     },
     "prime"},
    {"table_outside", [](BlobParts &p) { p.vips[2].meta.table_offset = 13; }, "outside"},
    {"ipip_family_mismatch",
     [](BlobParts &p) {
       p.backends[2].family = MAGLB_FAMILY_IPV6;
       std::memset(p.backends[2].addr, 0x20, 16);
     },
     "other family"},
};

INSTANTIATE_TEST_SUITE_P(All, SnapshotRejects, ::testing::ValuesIn(kCases),
                         [](const auto &info) { return std::string(info.param.name); });

TEST(Snapshot, ShortBlobsRejectedWithoutReadingPastThem) {
  const auto blob = valid().bytes();
  for (size_t n = 0; n < blob.size(); ++n) {
    std::vector<uint8_t> cut(blob.begin(), blob.begin() + static_cast<long>(n));
    std::string err;
    EXPECT_EQ(Snapshot::from_blob(cut, &err), nullptr) << n;
  }
}

}  // namespace
}  // namespace maglb::core
