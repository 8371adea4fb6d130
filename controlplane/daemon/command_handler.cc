#include "command_handler.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <exception>

#include "command_args.h"
#include "config_diff.h"
#include "config_edit.h"
#include "config_names.h"
#include "config_serialize.h"
#include "flow_trace.h"
#include "restart_fields.h"
#include "snapshot_builder.h"
#include "stats_view.h"
#include "views.h"

namespace maglb::daemon {

using nlohmann::json;

namespace {

std::vector<std::string> error_strings(const std::vector<config::ConfigError> &errors) {
  std::vector<std::string> out;
  out.reserve(errors.size());
  for (const auto &e : errors) out.push_back(e.to_string());
  return out;
}

// Reads a request's fields; any failure becomes the response.
struct Fields {
  const json &body;
  std::string error;
  bool ok() const { return error.empty(); }
  json fail() const { return error_response(error); }
};

// The backend a backend command is about: "vip" and "address" read and
// printed once.
struct BackendRef {
  maglb_vip_key key{};
  config::Address address;
  std::string vip;      // "198.18.0.100:80/tcp"
  std::string backend;  // "198.18.1.1"
  std::string what() const { return vip + " " + backend; }
};

std::optional<BackendRef> backend_ref(const json &body, std::initializer_list<const char *> allowed,
                                      std::string *error) {
  if (*error = check_fields(body, allowed); !error->empty()) return std::nullopt;
  const auto key = vip_field(body, "vip", error);
  if (!key) return std::nullopt;
  const auto address = address_field(body, "address", error);
  if (!address) return std::nullopt;
  return BackendRef{*key, *address, snapshot::format_vip(*key), config::format_address(*address)};
}

}  // namespace

CommandHandler::CommandHandler(Balancer &balancer, ConfigStore &store, Logger &log,
                               DaemonCounters &counters)
    : balancer_(balancer),
      store_(store),
      log_(log),
      counters_(counters),
      started_(SteadyClock::now()) {}

json CommandHandler::handle(const Request &r) {
  using Fn = json (CommandHandler::*)(const Request &);
  static const std::pair<const char *, Fn> kCommands[] = {
      {"status", &CommandHandler::status},
      {"vip list", &CommandHandler::vip_list},
      {"vip show", &CommandHandler::vip_show},
      {"vip add", &CommandHandler::vip_add},
      {"vip remove", &CommandHandler::vip_remove},
      {"backend add", &CommandHandler::backend_add},
      {"backend remove", &CommandHandler::backend_remove},
      {"backend weight", &CommandHandler::backend_weight},
      {"backend drain", &CommandHandler::backend_drain},
      {"backend undrain", &CommandHandler::backend_undrain},
      {"stats", &CommandHandler::stats},
      {"table dump", &CommandHandler::table_dump},
      {"trace", &CommandHandler::trace},
      {"reload", &CommandHandler::reload_command},
      {"diff", &CommandHandler::diff},
      {"config show", &CommandHandler::config_show},
  };
  for (const auto &[name, fn] : kCommands) {
    if (r.command != name) continue;
    try {
      return (this->*fn)(r);
    } catch (const std::exception &e) {
      // Not expected (fields are type-checked before use); a bug must cost
      // one request, not the daemon.
      log_.error("control command failed", {{"command", r.command}, {"error", e.what()}});
      return error_response(std::string("internal error: ") + e.what());
    }
  }
  std::vector<std::string> known;
  for (const auto &[name, fn] : kCommands) known.push_back(name);
  return error_response("unknown command \"" + r.command + "\"", known);
}

json CommandHandler::apply_edit(const Edit &edit, const std::string &why, json result) {
  auto reject = [&](const std::string &error, const std::vector<std::string> &details = {}) {
    ++counters_.runtime_changes_rejected;
    return error_response(error, details);
  };
  config::Config next = balancer_.config();
  if (std::string e = edit(next); !e.empty()) return reject(e);
  if (std::string e = store_.check_unchanged(); !e.empty()) return reject(e);
  const config::ParseResult parsed = revalidate(next);
  if (!parsed.ok()) {
    return reject("change rejected: the resulting config would be invalid",
                  error_strings(parsed.errors));
  }
  const config::Config previous = balancer_.config();
  if (auto errors = balancer_.apply(*parsed.config, why); !errors.empty()) {
    return reject("change rejected", errors);
  }
  if (std::string e = store_.save(*parsed.config); !e.empty()) {
    const auto back = balancer_.apply(previous, "revert: " + why + " (config file not written)");
    log_.error("runtime change not saved; reverted", {{"why", why}, {"error", e}});
    return reject("change not saved, so it was undone: " + e, back);
  }
  ++counters_.runtime_changes_ok;
  result["generation"] = balancer_.generation();
  return ok_response(std::move(result));
}

std::vector<std::string> CommandHandler::reload(std::string_view why) {
  std::string content;
  const config::ParseResult parsed = store_.read(&content);
  std::vector<std::string> errors;
  if (!parsed.ok()) {
    errors = error_strings(parsed.errors);
  } else if (*parsed.config == balancer_.config()) {
    store_.accept(std::move(content));
    ++counters_.reloads_ok;
    log_.info("reload: config unchanged", {{"why", std::string(why)}});
    return {};
  } else {
    errors = balancer_.apply(*parsed.config, why);
  }
  if (!errors.empty()) {
    ++counters_.reloads_rejected;
    log_.error("reload rejected; the running config is unchanged",
               {{"why", std::string(why)},
                {"file", store_.path()},
                {"errors", std::to_string(errors.size())},
                {"first", errors.front()}});
    return errors;
  }
  store_.accept(std::move(content));
  ++counters_.reloads_ok;
  return {};
}

json CommandHandler::status(const Request &r) {
  if (std::string e = check_fields(r.body, {}); !e.empty()) return error_response(e);
  size_t backends = 0;
  for (const auto &v : balancer_.config().vips) backends += v.backends.size();
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(SteadyClock::now() - started_);
  return ok_response({{"pid", ::getpid()},
                      {"generation", balancer_.generation()},
                      {"dataplane", balancer_.programmer().name()},
                      {"dataplane_up", counters_.dataplane_up},
                      {"config_file", store_.path()},
                      {"uptime_s", uptime.count()},
                      {"vips", balancer_.config().vips.size()},
                      {"backends", backends},
                      {"health_reports", counters_.health_reports}});
}

json CommandHandler::vip_list(const Request &r) {
  if (std::string e = check_fields(r.body, {}); !e.empty()) return error_response(e);
  return ok_response(vip_list_view(balancer_));
}

const InstalledVip *CommandHandler::requested_vip(const Request &r, std::string *error) const {
  if (*error = check_fields(r.body, {"vip"}); !error->empty()) return nullptr;
  const auto key = vip_field(r.body, "vip", error);
  if (!key) return nullptr;
  const InstalledVip *vip = balancer_.find(*key);
  if (vip == nullptr) *error = "no VIP " + snapshot::format_vip(*key);
  return vip;
}

json CommandHandler::vip_show(const Request &r) {
  std::string error;
  const InstalledVip *vip = requested_vip(r, &error);
  return vip ? ok_response(vip_show_view(balancer_, *vip)) : error_response(error);
}

json CommandHandler::vip_add(const Request &r) {
  Fields f{r.body, check_fields(r.body, {"vip", "method", "hash", "table_size"})};
  if (!f.ok()) return f.fail();
  NewVip nv;
  const auto key = vip_field(r.body, "vip", &f.error);
  if (!key) return f.fail();
  nv.key = *key;
  const auto method = string_field(r.body, "method", std::nullopt, &f.error);
  if (!method) return f.fail();
  const auto m = config::from_name<config::Method>(*method);
  if (!m) return error_response("method " + config::one_of_reason<config::Method>());
  nv.method = *m;
  const auto hash = string_field(r.body, "hash", "5tuple", &f.error);
  if (!hash) return f.fail();
  const auto h = config::from_name<config::HashFields>(*hash);
  if (!h) return error_response("hash " + config::one_of_reason<config::HashFields>());
  nv.hash = *h;
  const auto size =
      uint_field(r.body, "table_size", 2, MAGLB_MAX_TABLE_SIZE, MAGLB_DEFAULT_TABLE_SIZE, &f.error);
  if (!size) return f.fail();
  nv.table_size = static_cast<uint32_t>(*size);
  const std::string id = snapshot::format_vip(nv.key);
  return apply_edit([&](config::Config &c) { return add_vip(c, nv); }, "vip add " + id,
                    {{"vip", id}});
}

json CommandHandler::vip_remove(const Request &r) {
  Fields f{r.body, check_fields(r.body, {"vip"})};
  if (!f.ok()) return f.fail();
  const auto key = vip_field(r.body, "vip", &f.error);
  if (!key) return f.fail();
  const std::string id = snapshot::format_vip(*key);
  return apply_edit([&](config::Config &c) { return remove_vip(c, *key); }, "vip remove " + id,
                    {{"vip", id}});
}

json CommandHandler::backend_add(const Request &r) {
  Fields f{r.body, check_fields(r.body, {"vip", "address", "weight", "name"})};
  if (!f.ok()) return f.fail();
  const auto key = vip_field(r.body, "vip", &f.error);
  if (!key) return f.fail();
  config::BackendConfig b;
  const auto addr = address_field(r.body, "address", &f.error);
  if (!addr) return f.fail();
  b.address = *addr;
  const auto weight =
      uint_field(r.body, "weight", 0, 65535, config::BackendConfig{}.weight, &f.error);
  if (!weight) return f.fail();
  b.weight = static_cast<uint16_t>(*weight);
  const auto name = string_field(r.body, "name", "", &f.error);
  if (!name) return f.fail();
  b.name = *name;
  const std::string what = snapshot::format_vip(*key) + " " + config::format_address(b.address);
  return apply_edit([&](config::Config &c) { return add_backend(c, *key, b); },
                    "backend add " + what,
                    {{"vip", snapshot::format_vip(*key)},
                     {"address", config::format_address(b.address)},
                     {"weight", b.weight}});
}

json CommandHandler::backend_remove(const Request &r) {
  std::string error;
  const auto ref = backend_ref(r.body, {"vip", "address"}, &error);
  if (!ref) return error_response(error);
  return apply_edit([&](config::Config &c) { return remove_backend(c, ref->key, ref->address); },
                    "backend remove " + ref->what(),
                    {{"vip", ref->vip}, {"address", ref->backend}});
}

json CommandHandler::backend_weight(const Request &r) {
  std::string error;
  const auto ref = backend_ref(r.body, {"vip", "address", "weight"}, &error);
  if (!ref) return error_response(error);
  const auto weight = uint_field(r.body, "weight", 0, 65535, std::nullopt, &error);
  if (!weight) return error_response(error);
  uint16_t old = 0;
  const uint16_t w = static_cast<uint16_t>(*weight);
  json out = apply_edit(
      [&](config::Config &c) { return set_backend_weight(c, ref->key, ref->address, w, &old); },
      "backend weight " + ref->what() + " " + std::to_string(w),
      {{"vip", ref->vip}, {"address", ref->backend}});
  if (out.value("ok", false)) {
    out["result"]["weight"] = w;
    out["result"]["previous_weight"] = old;
  }
  return out;
}

json CommandHandler::backend_drain(const Request &r) {
  std::string error;
  const auto ref = backend_ref(r.body, {"vip", "address"}, &error);
  if (!ref) return error_response(error);
  config::Config running = balancer_.config();
  const config::BackendConfig *b = find_backend(running, ref->key, ref->address, &error);
  if (b == nullptr) return error_response(error);
  if (b->weight == 0) {
    return ok_response({{"vip", ref->vip},
                        {"address", ref->backend},
                        {"changed", false},
                        {"note", "already drained (weight 0)"},
                        {"generation", balancer_.generation()}});
  }
  uint16_t old = 0;
  json out = apply_edit(
      [&](config::Config &c) { return set_backend_weight(c, ref->key, ref->address, 0, &old); },
      "backend drain " + ref->what(),
      {{"vip", ref->vip}, {"address", ref->backend}, {"changed", true}});
  if (out.value("ok", false)) out["result"]["previous_weight"] = old;
  return out;
}

json CommandHandler::backend_undrain(const Request &r) {
  std::string error;
  const auto ref = backend_ref(r.body, {"vip", "address", "weight"}, &error);
  if (!ref) return error_response(error);
  const auto given = uint_field(r.body, "weight", 1, 65535, 0, &error);
  if (!given) return error_response(error);
  config::Config running = balancer_.config();
  const config::BackendConfig *b = find_backend(running, ref->key, ref->address, &error);
  if (b == nullptr) return error_response(error);
  if (b->weight != 0) {
    return error_response("backend " + ref->backend + " of " + ref->vip +
                          " is not drained (weight " + std::to_string(b->weight) + ")");
  }
  uint16_t weight = static_cast<uint16_t>(*given);
  if (weight == 0) weight = b->undrain_weight;
  if (weight == 0) {
    return error_response("no weight remembered for backend " + ref->backend + " of " + ref->vip +
                          " (no undrain_weight in the config file); give one: "
                          "maglbctl backend undrain " +
                          ref->what() + " --weight N");
  }
  uint16_t old = 0;
  return apply_edit(
      [&](config::Config &c) {
        return set_backend_weight(c, ref->key, ref->address, weight, &old);
      },
      "backend undrain " + ref->what(),
      {{"vip", ref->vip}, {"address", ref->backend}, {"weight", weight}});
}

json CommandHandler::stats(const Request &r) {
  Fields f{r.body, check_fields(r.body, {"vip"})};
  if (!f.ok()) return f.fail();
  std::optional<maglb_vip_key> only;
  if (r.body.contains("vip")) {
    only = vip_field(r.body, "vip", &f.error);
    if (!only) return f.fail();
    if (balancer_.find(*only) == nullptr)
      return error_response("no VIP " + snapshot::format_vip(*only));
  }
  json normalized;
  if (std::string e = balancer_.programmer().stats(&normalized); !e.empty()) {
    return error_response("dataplane statistics unavailable: " + e);
  }
  return ok_response(enrich_stats(normalized, balancer_, only));
}

json CommandHandler::table_dump(const Request &r) {
  std::string error;
  const InstalledVip *vip = requested_vip(r, &error);
  return vip ? ok_response(table_view(balancer_, *vip)) : error_response(error);
}

json CommandHandler::trace(const Request &r) {
  Fields f{r.body, check_fields(r.body, {"source", "destination"})};
  if (!f.ok()) return f.fail();
  const auto src = string_field(r.body, "source", std::nullopt, &f.error);
  if (!src) return f.fail();
  const auto endpoint = config::parse_endpoint(*src);
  if (!endpoint) {
    return error_response("bad source '" + *src +
                          "': expected ADDR:PORT (198.18.0.5:40000, [2001:db8::5]:40000)");
  }
  const auto dst = vip_field(r.body, "destination", &f.error);
  if (!dst) return f.fail();
  FlowSpec flow;
  flow.source = endpoint->address;
  flow.source_port = endpoint->port;
  flow.destination.family = dst->family;
  std::copy(std::begin(dst->addr), std::end(dst->addr), flow.destination.bytes.begin());
  flow.destination_port = ntohs(dst->port);
  flow.protocol = dst->proto;
  json out = trace_flow(balancer_.vips(), flow, balancer_.generation());
  out["generation"] = balancer_.generation();
  return ok_response(std::move(out));
}

json CommandHandler::reload_command(const Request &r) {
  if (std::string e = check_fields(r.body, {}); !e.empty()) return error_response(e);
  const uint64_t before = balancer_.generation();
  const auto errors = reload("maglbctl reload");
  if (!errors.empty()) {
    return error_response(
        "reload rejected: " + store_.path() + " is not applied; the running config is unchanged",
        errors);
  }
  return ok_response({{"file", store_.path()},
                      {"changed", balancer_.generation() != before},
                      {"generation", balancer_.generation()}});
}

json CommandHandler::diff(const Request &r) {
  Fields f{r.body, check_fields(r.body, {"config"})};
  if (!f.ok()) return f.fail();
  const auto text = string_field(r.body, "config", std::nullopt, &f.error);
  if (!text) return f.fail();
  const config::ParseResult parsed = config::parse_config_text(*text);
  if (!parsed.ok())
    return error_response("the other config is invalid", error_strings(parsed.errors));
  const config::Config &running = balancer_.config();
  // New backends count as up: the diff shows where traffic settles once
  // they pass their checks (known-down backends stay down).
  const ConfigDiff d = diff_configs(running, balancer_.plan_for(running), *parsed.config,
                                    balancer_.plan_for(*parsed.config, true));
  json out = to_json(d);
  out["restart_required"] = restart_required_changes(running, *parsed.config);
  return ok_response(std::move(out));
}

json CommandHandler::config_show(const Request &r) {
  if (std::string e = check_fields(r.body, {}); !e.empty()) return error_response(e);
  return ok_response({{"file", store_.path()},
                      {"generation", balancer_.generation()},
                      {"config", config::to_json(balancer_.config())}});
}

}  // namespace maglb::daemon
