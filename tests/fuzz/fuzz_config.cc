// Fuzzer: the config loader and validator (controlplane/config), the one
// JSON entry point shared by maglbd and `maglbctl config check`. Beyond "no
// crash, no sanitizer report, no exception escapes":
//   - a config is accepted exactly when no error is reported, and every
//     error names its JSON path or says why the file is unusable;
//   - an accepted config serialises (config_serialize.h) to text that
//     parses back to the same model;
//   - an accepted config builds a snapshot blob the DPDK dataplane's own
//     validator (core::Snapshot::from_blob) accepts (tables up to 200,000
//     slots in total, to keep each run fast).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "config_parse.h"
#include "config_serialize.h"
#include "config_to_snapshot.h"
#include "id_allocator.h"
#include "snapshot.h"
#include "snapshot_builder.h"

using namespace maglb;

namespace {

[[noreturn]] void fail(const std::string &what) {
  std::fprintf(stderr, "fuzz_config: %s\n", what.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  const config::ParseResult r = config::parse_config_text(text);
  if (r.ok() != r.errors.empty()) fail("ok() disagrees with the error list");
  for (const auto &e : r.errors)
    if (e.reason.empty()) fail("an error without a reason: " + e.path);
  if (!r.ok()) return 0;

  const std::string again = config::to_json(*r.config).dump(2);
  const config::ParseResult r2 = config::parse_config_text(again);
  if (!r2.ok()) fail("serialised config rejected: " + r2.errors.front().to_string() + "\n" + again);
  if (!(*r2.config == *r.config)) fail("round trip changed the config:\n" + again);

  uint64_t slots = 0;
  for (const auto &v : r.config->vips) slots += v.table_size;
  if (slots > 200'000) return 0;
  snapshot::IdAllocator ids;
  const snapshot::BuildResult b =
      snapshot::build_snapshot(snapshot::snapshot_input_of(*r.config, /*generation=*/1), ids);
  if (!b.error.empty()) fail("valid config failed to build: " + b.error);
  std::string err;
  if (!core::Snapshot::from_blob(b.blob, &err)) fail("dataplane rejects the built blob: " + err);
  return 0;
}
