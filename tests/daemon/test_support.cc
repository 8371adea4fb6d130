#include "test_support.h"

#include <gtest/gtest.h>

#include <cstring>

#include "config_parse.h"

namespace maglb::daemon::testing {

std::string config_text(const std::string &vips_json) {
  return R"({"dataplane": {"mode": "xdp", "interfaces": ["mgt0"],
                          "address_v4": "198.18.0.1/24", "encap_source_v4": "198.18.0.1",
                          "address_v6": "2001:db8::1/64", "encap_source_v6": "2001:db8::1"},
             "control": {"socket": "/run/maglb-test/maglbd.sock"},
             "vips": )" +
         vips_json + "}";
}

config::Config make_config(const std::string &vips_json) {
  const config::ParseResult r = config::parse_config_text(config_text(vips_json));
  for (const auto &e : r.errors) ADD_FAILURE() << "test config: " << e.to_string();
  return r.config.value_or(config::Config{});
}

BlobView parse_blob(const std::vector<uint8_t> &blob) {
  BlobView v;
  maglb_snapshot_header h{};
  if (blob.size() < sizeof(h) + sizeof(maglb_dp_params)) {
    ADD_FAILURE() << "blob of " << blob.size() << " bytes";
    return v;
  }
  std::memcpy(&h, blob.data(), sizeof(h));
  EXPECT_EQ(h.magic, MAGLB_SNAPSHOT_MAGIC);
  EXPECT_EQ(h.total_size, blob.size());
  v.generation = h.generation;
  size_t off = sizeof(h) + sizeof(maglb_dp_params);
  const size_t need = off + h.n_vips * sizeof(maglb_snapshot_vip) +
                      h.n_backends * sizeof(maglb_backend) + h.total_slots * sizeof(maglb_slot_t);
  if (need != blob.size()) {
    ADD_FAILURE() << "blob layout: need " << need << " bytes, have " << blob.size();
    return v;
  }
  v.vips.resize(h.n_vips);
  std::memcpy(v.vips.data(), blob.data() + off, h.n_vips * sizeof(maglb_snapshot_vip));
  off += h.n_vips * sizeof(maglb_snapshot_vip);
  v.backends.resize(h.n_backends);
  std::memcpy(v.backends.data(), blob.data() + off, h.n_backends * sizeof(maglb_backend));
  off += h.n_backends * sizeof(maglb_backend);
  v.slots.resize(h.total_slots);
  std::memcpy(v.slots.data(), blob.data() + off, h.total_slots * sizeof(maglb_slot_t));
  return v;
}

std::vector<uint8_t> BlobView::table_by_last_octet(size_t vip) const {
  std::vector<uint8_t> out;
  const maglb_vip_meta &m = vips.at(vip).meta;
  for (uint32_t s = 0; s < m.table_size; ++s) {
    const maglb_slot_t index = slots.at(m.table_offset + s);
    // In the blob, slots hold indexes into the backend array.
    out.push_back(index == MAGLB_SLOT_EMPTY ? 0 : backends.at(index).addr[3]);
  }
  return out;
}

}  // namespace maglb::daemon::testing
