// media — see media.hpp.
#include "ipc/bus/media.hpp"

#include <fmt/format.h>

#include <iterator>

#include "ipc/bus/fields.hpp"
#include "ipc/strict_fields.hpp"

namespace ha::ipc::bus {

Message MediaStatsAsk::encode() const {
    Message m;
    m.add("t", kMediaStats);
    return m;
}

Result<MediaStatsAsk> MediaStatsAsk::decode(const Message& m) {
    if (auto ok = check_message(m, kMediaStats, {"t"}); !ok) return ok.error();
    return MediaStatsAsk{};
}

Message MediaStats::encode() const {
    Message m;
    m.add("t", kMediaStats);
    m.add("link", link);
    m.add("rx", std::to_string(rx));
    m.add("forwarded", std::to_string(forwarded));
    m.add("tx", std::to_string(tx));
    m.add("tx_errors", std::to_string(tx_errors));
    for (const auto& [reason, count] : drops) m.add(std::string("drop_").append(reason), std::to_string(count));
    if (open) m.add("open", *open ? "1" : "0");
    for (const auto& [name, count] : serial) m.add(name, std::to_string(count));
    return m;
}

Result<MediaStats> MediaStats::decode(const Message& m) {
    if (m.type() != kMediaStats) return make_error("bad_type", fmt::format("not an {} message (t={})", kMediaStats, m.type()));
    // The fixed fields plus every drop_<reason> this message carries: then the usual check.
    std::vector<std::string_view> allowed{"t", "link", "rx", "forwarded", "tx", "tx_errors", "open"};
    allowed.insert(allowed.end(), std::begin(kSerialCounters), std::end(kSerialCounters));
    std::size_t drop_fields = 0;
    for (const auto& f : m.fields()) {
        if (f.name.size() > 5 && f.name.starts_with("drop_") && ++drop_fields <= kMaxDropReasons) allowed.push_back(f.name);
    }
    if (auto ok = check_fields(m, kMediaStats, allowed); !ok) return ok.error();
    MediaStats s;
    auto link = read_required(m, kMediaStats, "link");
    if (!link) return link.error();
    s.link = std::move(*link);
    for (auto [name, value] : {std::pair{"rx", &s.rx}, {"forwarded", &s.forwarded}, {"tx", &s.tx}, {"tx_errors", &s.tx_errors}}) {
        auto n = read_count(m, kMediaStats, name);
        if (!n) return n.error();
        *value = *n;
    }
    for (const auto& f : m.fields()) {
        if (!f.name.starts_with("drop_")) continue;
        auto n = parse_count(kMediaStats, f.name, f.value);
        if (!n) return n.error();
        s.drops.emplace_back(f.name.substr(5), *n);
    }
    if (const auto open = m.get("open")) {
        if (*open != "0" && *open != "1") return make_error("bad_value", fmt::format("_stats: bad open \"{}\" (0 or 1)", open->substr(0, 40)));
        s.open = *open == "1";
    }
    for (std::string_view name : kSerialCounters) {
        const auto value = m.get(name);
        if (!value) continue;
        auto n = parse_count(kMediaStats, name, *value);
        if (!n) return n.error();
        s.serial.emplace_back(std::string(name), *n);
    }
    return s;
}

}  // namespace ha::ipc::bus
