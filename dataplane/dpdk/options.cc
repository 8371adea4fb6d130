#include "options.h"

#include <sstream>

#include <boost/program_options.hpp>

namespace maglb::dpdk {

namespace po = boost::program_options;

ParsedOptions parse_options(int argc, char **argv) {
  ParsedOptions r;
  DataplaneOptions &o = r.options;
  uint32_t queues = o.queues, rx_desc = o.rx_desc, tx_desc = o.tx_desc, mtu = o.mtu;
  bool no_promiscuous = false;
  po::options_description desc(
      "maglb-dataplane [EAL options] -- [options]\n"
      "EAL options (before --) go to DPDK unchanged, e.g. -l 0-2 --vdev=... --no-pci.\n"
      "Options");
  // clang-format off
  desc.add_options()
    ("help,h", "print this help")
    ("port", po::value(&o.port)->default_value(o.port),
     "port id, or devargs of a device to create (e.g. net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap)")
    ("queues", po::value(&queues)->default_value(queues),
     "RX/TX queue pairs, one worker lcore each (needs that many lcores besides the main one)")
    ("control-socket", po::value(&o.control_socket)->default_value(o.control_socket),
     "Unix socket of the control protocol (created with mode 0600)")
    ("flows-per-core", po::value(&o.flows_per_core)->default_value(o.flows_per_core),
     "connection-tracking entries per worker")
    ("exception-tap", po::value(&o.exception_tap),
     "create a net_tap interface of this name for traffic passed to the kernel")
    ("exception-port", po::value(&o.exception_port),
     "use this port (id or devargs) for traffic passed to the kernel instead of a TAP")
    ("stats-interval", po::value(&o.stats_interval_s)->default_value(0),
     "print counters every N seconds (0: never)")
    ("wait-for-table", po::bool_switch(&o.wait_for_table),
     "receive nothing until the first snapshot is installed (replayed pcap input)")
    ("mbufs", po::value(&o.mbufs)->default_value(0),
     "mbufs in the pool (0: enough for the queues; net_pcap infinite_rx needs more than the pcap)")
    ("rx-desc", po::value(&rx_desc)->default_value(rx_desc), "RX descriptors per queue")
    ("tx-desc", po::value(&tx_desc)->default_value(tx_desc), "TX descriptors per queue")
    ("mtu", po::value(&mtu)->default_value(0), "port MTU to set (0: keep the PMD's)")
    ("no-promiscuous", po::bool_switch(&no_promiscuous),
     "leave promiscuous mode off (all-multicast stays on for neighbour discovery)");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error &e) {
    r.text = e.what();
    return r;
  }
  std::ostringstream usage;
  usage << desc;
  if (vm.count("help")) {
    r.outcome = ParsedOptions::Outcome::Help;
    r.text = usage.str();
    return r;
  }
  auto fail = [&](const std::string &why) {
    r.text = why;
    return r;
  };
  if (queues < 1 || queues > 128) return fail("--queues must be 1..128");
  if (rx_desc < 64 || rx_desc > 16384 || tx_desc < 64 || tx_desc > 16384) {
    return fail("--rx-desc and --tx-desc must be 64..16384");
  }
  if (mtu != 0 && (mtu < 68 || mtu > 9600)) return fail("--mtu must be 68..9600");
  if (o.flows_per_core < 64) return fail("--flows-per-core must be at least 64");
  if (!o.exception_tap.empty() && !o.exception_port.empty()) {
    return fail("--exception-tap and --exception-port exclude each other");
  }
  if (o.control_socket.empty()) return fail("--control-socket must not be empty");
  o.queues = static_cast<uint16_t>(queues);
  o.rx_desc = static_cast<uint16_t>(rx_desc);
  o.tx_desc = static_cast<uint16_t>(tx_desc);
  o.mtu = static_cast<uint16_t>(mtu);
  o.promiscuous = !no_promiscuous;
  r.outcome = ParsedOptions::Outcome::Run;
  return r;
}

}  // namespace maglb::dpdk
