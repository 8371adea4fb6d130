// Renders the whole BIRD 2 config file maglbd hands its BIRD instance: one
// BGP session per peer, and a static protocol per family holding a /32 or
// /128 for every announced VIP address. What is announced changes by
// rewriting this file and `birdc configure` (BIRD 2 applies a new static
// route set without resetting any session). No kernel protocol: the load
// balancer's own routing table never sees these routes.
#pragma once

#include <string>
#include <vector>

#include "config.h"

namespace maglb::bgp {

// The BIRD protocol name of a peer ("peer_198_18_0_254"): BIRD symbols are
// letters, digits and underscores.
std::string peer_protocol_name(const config::BgpPeerConfig &peer);

// announced: the addresses to announce (announce_set.h); other families'
// peers never see them (an IPv4 session carries IPv4 routes only).
std::string render_bird_config(const config::BgpConfig &bgp,
                               const std::vector<config::Address> &announced);

// The VIP addresses a config rendered by render_bird_config() announces
// (its `route ... blackhole;` lines): what a BIRD that outlived the previous
// maglbd is announcing.
std::vector<config::Address> announced_in(const std::string &bird_config_text);

}  // namespace maglb::bgp
