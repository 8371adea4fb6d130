#include "config_names.h"

namespace maglb::config {

namespace {

constexpr EnumName<DataplaneMode> kModes[] = {
    {DataplaneMode::kDpdk, "dpdk"},
    {DataplaneMode::kXdp, "xdp"},
};
constexpr EnumName<Method> kMethods[] = {
    {Method::kIpip, "ipip"},
    {Method::kGue, "gue"},
    {Method::kL2, "l2"},
};
constexpr EnumName<HashFields> kHashes[] = {
    {HashFields::k5Tuple, "5tuple"},
    {HashFields::k3Tuple, "3tuple"},
    {HashFields::kSrcAddr, "src_addr"},
};
constexpr EnumName<Protocol> kProtocols[] = {
    {Protocol::kTcp, "tcp"},
    {Protocol::kUdp, "udp"},
};
constexpr EnumName<HealthcheckType> kHealthchecks[] = {
    {HealthcheckType::kNone, "none"},
    {HealthcheckType::kTcp, "tcp"},
    {HealthcheckType::kHttp, "http"},
};

}  // namespace

std::span<const EnumName<DataplaneMode>> enum_names(DataplaneMode) {
  return kModes;
}
std::span<const EnumName<Method>> enum_names(Method) {
  return kMethods;
}
std::span<const EnumName<HashFields>> enum_names(HashFields) {
  return kHashes;
}
std::span<const EnumName<Protocol>> enum_names(Protocol) {
  return kProtocols;
}
std::span<const EnumName<HealthcheckType>> enum_names(HealthcheckType) {
  return kHealthchecks;
}

}  // namespace maglb::config
