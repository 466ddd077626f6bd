// supervision — see supervision.hpp.
#include "ipc/bus/supervision.hpp"

#include "ipc/bus/fields.hpp"

namespace ha::ipc::bus {

namespace {

// t=<type> seq=<id>, nothing else.
Result<std::string> decode_seq_only(const Message& m, std::string_view type) {
    if (auto ok = check_message(m, type, {"t", "seq"}); !ok) return ok.error();
    return read_seq(m, type);
}

Message seq_only(std::string_view type, const std::string& seq) {
    Message m;
    m.add("t", type).add("seq", seq);
    return m;
}

}  // namespace

Message Liveness::encode() const {
    Message m;
    m.add("t", kLiveness).add("pid", pid);
    return m;
}

Result<Liveness> Liveness::decode(const Message& m) {
    if (auto ok = check_message(m, kLiveness, {"t", "pid"}); !ok) return ok.error();
    auto pid = read_count(m, kLiveness, "pid", 10);
    if (!pid) return pid.error();
    return Liveness{std::string(*m.get("pid"))};
}

Message MasterAlive::encode() const {
    Message m;
    m.add("t", kMasterAlive);
    return m;
}

Result<MasterAlive> MasterAlive::decode(const Message& m) {
    if (auto ok = check_message(m, kMasterAlive, {"t"}); !ok) return ok.error();
    return MasterAlive{};
}

Message Flush::encode() const { return seq_only(kFlush, seq); }

Result<Flush> Flush::decode(const Message& m) {
    auto seq = decode_seq_only(m, kFlush);
    if (!seq) return seq.error();
    return Flush{std::move(*seq)};
}

Message Flushed::encode() const { return seq_only(kFlushed, seq); }

Result<Flushed> Flushed::decode(const Message& m) {
    auto seq = decode_seq_only(m, kFlushed);
    if (!seq) return seq.error();
    return Flushed{std::move(*seq)};
}

}  // namespace ha::ipc::bus
