// render_prometheus — the master's facts in Prometheus' text exposition format (version 0.0.4), for
// `hamaster status --prometheus` and the textfile node_exporter reads (master/metrics_textfile.hpp).
//
// Pure: a ClusterView in, the text out. Every family has # HELP and # TYPE; names start with
// `hamaster_`, counters end in `_total`, durations are in seconds, ratios in 0..1; labels `peer`,
// `link`, `reason`, `group`, `child`, `state`. Label values are escaped (\\, \", \n) so any byte a
// node, link or resource name holds stays one valid sample. Series whose value is unknown (a link
// never heard) are left out rather than given a made-up value. The metric list is in
// docs/metrics.md; `promtool check metrics` accepts the output (tests).
//
// Time and blocking: none. Diagnostics: none.
// See also: master/cluster_view.hpp, master/control_service.hpp (the same facts as JSON).
#pragma once

#include <string>

#include "master/cluster_view.hpp"

namespace ha::master {

std::string render_prometheus(const ClusterView& view);

}  // namespace ha::master
