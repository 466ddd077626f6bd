// StatusTable — see status_table.hpp.
#include "ipc/status_table.hpp"

#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <new>
#include <thread>

#include <boost/interprocess/exceptions.hpp>
#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <fmt/format.h>

namespace ha::ipc {

namespace bip = boost::interprocess;
using namespace status_layout;

namespace {

constexpr int kReadRetries = 10000;
constexpr char kReaderGroup[] = "haclient";

std::uint32_t magic_word() {
    std::uint32_t m = 0;
    std::memcpy(&m, kMagic, sizeof m);
    return m;
}

// A zombie (exited, not yet reaped) is dead for our purpose: it writes nothing any more.
bool pid_alive(int pid) {
    if (pid <= 0 || (::kill(pid, 0) != 0 && errno != EPERM)) return false;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (FILE* f = std::fopen(path, "r")) {
        char state = 0;
        const int n = std::fscanf(f, "%*d (%*[^)]) %c", &state);
        std::fclose(f);
        if (n == 1 && state == 'Z') return false;
    }
    return true;
}

template <std::size_t N>
Result<void> put(char (&dst)[N], std::string_view src, std::string_view what) {
    if (src.size() >= N)
        return make_error("too_big", fmt::format("status table: {} \"{}\" is {} bytes; at most {} fit", what,
                                                 src.substr(0, 80), src.size(), N - 1));
    std::memcpy(dst, src.data(), src.size());
    std::memset(dst + src.size(), 0, N - src.size());
    return {};
}

template <std::size_t N>
std::string get(const char (&src)[N]) {
    return std::string(src, ::strnlen(src, N));
}

// The seqlock's data copies: word by word with relaxed atomics, so a racing copy is merely torn
// (and detected by the counter), never a data race.
void store_words(Payload& dst, const Payload& src) {
    auto* d = reinterpret_cast<std::uint64_t*>(&dst);
    const auto* s = reinterpret_cast<const std::uint64_t*>(&src);
    for (std::size_t i = 0; i < sizeof(Payload) / 8; ++i) __atomic_store_n(d + i, s[i], __ATOMIC_RELAXED);
}

void load_words(Payload& dst, const Payload& src) {
    auto* d = reinterpret_cast<std::uint64_t*>(&dst);
    const auto* s = reinterpret_cast<const std::uint64_t*>(&src);
    for (std::size_t i = 0; i < sizeof(Payload) / 8; ++i) d[i] = __atomic_load_n(s + i, __ATOMIC_RELAXED);
}

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

Error shm_error(std::string_view what, const std::string& name, const std::exception& e) {
    return make_error("shm", fmt::format("status table {}: {}: {}", name, what, e.what()));
}

}  // namespace

std::string_view rsc_hold_word(RscHold hold) {
    switch (hold) {
        case RscHold::none: return "none";
        case RscHold::local: return "local";
        case RscHold::foreign: return "foreign";
        case RscHold::all: return "all";
        case RscHold::transition: return "transition";
    }
    return "none";
}

std::optional<RscHold> rsc_hold_from_word(std::string_view word) {
    for (auto h : {RscHold::none, RscHold::local, RscHold::foreign, RscHold::all, RscHold::transition})
        if (rsc_hold_word(h) == word) return h;
    return std::nullopt;
}

std::string_view node_type_word(StatusNodeType type) { return type == StatusNodeType::ping ? "ping" : "normal"; }

// ---- conversion -----------------------------------------------------------------------------

Result<void> encode_status(const StatusSnapshot& s, Payload& out) {
    std::memset(static_cast<void*>(&out), 0, sizeof out);
    auto too_many = [](std::string_view what, std::size_t n, std::size_t max) {
        return make_error("too_big", fmt::format("status table: {} {}; at most {} fit", n, what, max));
    };
    if (s.nodes.size() > kMaxNodes) return too_many("nodes", s.nodes.size(), kMaxNodes);
    if (s.links.size() > kMaxLinks) return too_many("links", s.links.size(), kMaxLinks);
    if (s.groups.size() > kMaxGroups) return too_many("resource groups", s.groups.size(), kMaxGroups);
    if (s.parameters.size() > kMaxParams) return too_many("parameters", s.parameters.size(), kMaxParams);

    out.generation = s.generation;
    out.publish_count = s.publish_count;
    out.published_wall_ms = s.published_wall_ms;
    if (auto r = put(out.local_node, s.local_node, "local node"); !r) return r;
    if (auto r = put(out.local_status, s.local_status, "local status"); !r) return r;
    if (auto r = put(out.local_uuid, s.local_uuid, "local uuid"); !r) return r;
    out.rsc_hold = static_cast<std::uint8_t>(s.rsc_hold);
    out.node_count = static_cast<std::uint32_t>(s.nodes.size());
    out.link_count = static_cast<std::uint32_t>(s.links.size());
    out.group_count = static_cast<std::uint32_t>(s.groups.size());
    out.param_count = static_cast<std::uint32_t>(s.parameters.size());

    for (std::size_t i = 0; i < s.nodes.size(); ++i) {
        const auto& n = s.nodes[i];
        Node& o = out.nodes[i];
        if (auto r = put(o.name, n.name, fmt::format("nodes[{}].name", i)); !r) return r;
        if (auto r = put(o.status, n.status, fmt::format("node {} status", n.name)); !r) return r;
        o.type = static_cast<std::uint8_t>(n.type);
        o.last_heard_wall_ms = n.last_heard_wall_ms;
        o.generation = n.generation;
    }
    for (std::size_t i = 0; i < s.links.size(); ++i) {
        const auto& l = s.links[i];
        Link& o = out.links[i];
        if (auto r = put(o.node, l.node, fmt::format("links[{}].node", i)); !r) return r;
        if (auto r = put(o.link, l.link, fmt::format("link {} name", l.node)); !r) return r;
        if (l.dropped.size() > kMaxDropReasons)
            return too_many(fmt::format("drop reasons on link {}:{}", l.node, l.link), l.dropped.size(), kMaxDropReasons);
        o.up = l.up ? 1 : 0;
        o.has_age = l.age_ms.has_value() ? 1 : 0;
        o.age_ms = l.age_ms.value_or(0);
        o.rx = l.rx;
        o.tx = l.tx;
        o.late = l.late;
        o.drop_count = static_cast<std::uint32_t>(l.dropped.size());
        for (std::size_t d = 0; d < l.dropped.size(); ++d) {
            if (auto r = put(o.dropped[d].reason, l.dropped[d].first, fmt::format("link {}:{} drop reason", l.node, l.link)); !r)
                return r;
            o.dropped[d].count = l.dropped[d].second;
        }
    }
    for (std::size_t i = 0; i < s.groups.size(); ++i) {
        if (auto r = put(out.groups[i].name, s.groups[i].name, fmt::format("groups[{}].name", i)); !r) return r;
        if (auto r = put(out.groups[i].owner, s.groups[i].owner, fmt::format("group {} owner", s.groups[i].name)); !r)
            return r;
    }
    for (std::size_t i = 0; i < s.parameters.size(); ++i) {
        const auto& [name, value] = s.parameters[i];
        if (auto r = put(out.params[i].name, name, "parameter name"); !r) return r;
        if (auto r = put(out.params[i].value, value, fmt::format("parameter {} value", name)); !r) return r;
    }
    return {};
}

Result<StatusSnapshot> decode_status(const Payload& in) {
    if (in.node_count > kMaxNodes || in.link_count > kMaxLinks || in.group_count > kMaxGroups ||
        in.param_count > kMaxParams || in.rsc_hold > static_cast<std::uint8_t>(RscHold::transition))
        return make_error("bad_layout", "status table: a count or code is out of range");
    StatusSnapshot s;
    s.generation = in.generation;
    s.publish_count = in.publish_count;
    s.published_wall_ms = in.published_wall_ms;
    s.local_node = get(in.local_node);
    s.local_status = get(in.local_status);
    s.local_uuid = get(in.local_uuid);
    s.rsc_hold = static_cast<RscHold>(in.rsc_hold);
    for (std::size_t i = 0; i < in.node_count; ++i) {
        const Node& n = in.nodes[i];
        s.nodes.push_back(StatusNode{get(n.name), n.type == 1 ? StatusNodeType::ping : StatusNodeType::normal,
                                     get(n.status), n.last_heard_wall_ms, n.generation});
    }
    for (std::size_t i = 0; i < in.link_count; ++i) {
        const Link& l = in.links[i];
        if (l.drop_count > kMaxDropReasons) return make_error("bad_layout", "status table: drop count out of range");
        StatusLink o{get(l.node), get(l.link), l.up != 0, l.rx, l.tx, l.late, {}, std::nullopt};
        if (l.has_age) o.age_ms = l.age_ms;
        for (std::size_t d = 0; d < l.drop_count; ++d) o.dropped.emplace_back(get(l.dropped[d].reason), l.dropped[d].count);
        s.links.push_back(std::move(o));
    }
    for (std::size_t i = 0; i < in.group_count; ++i) s.groups.push_back({get(in.groups[i].name), get(in.groups[i].owner)});
    for (std::size_t i = 0; i < in.param_count; ++i) s.parameters.emplace_back(get(in.params[i].name), get(in.params[i].value));
    return s;
}

std::string status_table_name(const std::string& run_dir) {
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(std::filesystem::absolute(run_dir, ec), ec);
    std::string key = ec ? run_dir : canonical.lexically_normal().string();
    while (key.size() > 1 && key.back() == '/') key.pop_back();
    return fmt::format("/hamaster.{:016x}", fnv1a(key));
}

// ---- writer ---------------------------------------------------------------------------------

struct StatusTableWriter::State {
    bip::shared_memory_object shm;
    bip::mapped_region region;
    Segment* segment = nullptr;
    std::unique_ptr<Payload> scratch = std::make_unique<Payload>();
    std::uint64_t publish_count = 0;
    Log* log = nullptr;
    std::optional<Error> last_error;
};

StatusTableWriter::StatusTableWriter(std::unique_ptr<State> state, std::string name)
    : state_(std::move(state)), name_(std::move(name)) {}

StatusTableWriter::StatusTableWriter(StatusTableWriter&& other) noexcept
    : state_(std::move(other.state_)), name_(std::move(other.name_)) {}

StatusTableWriter& StatusTableWriter::operator=(StatusTableWriter&& other) noexcept {
    if (this != &other) {
        if (state_) bip::shared_memory_object::remove(name_.c_str());
        state_ = std::move(other.state_);
        name_ = std::move(other.name_);
    }
    return *this;
}

StatusTableWriter::~StatusTableWriter() {
    if (!state_) return;
    state_->region = bip::mapped_region();
    bip::shared_memory_object::remove(name_.c_str());
}

Result<StatusTableWriter> StatusTableWriter::create(const std::string& run_dir) {
    return create(run_dir, process_log());
}

Result<StatusTableWriter> StatusTableWriter::create(const std::string& run_dir, Log& log) {
    const std::string name = status_table_name(run_dir);
    const int self = static_cast<int>(::getpid());

    // 1. An existing segment: refuse a live owner, replace a dead one.
    try {
        bip::shared_memory_object old(bip::open_only, name.c_str(), bip::read_only);
        bip::offset_t size = 0;
        std::string why;
        if (old.get_size(size) && static_cast<std::size_t>(size) >= sizeof(Header)) {
            bip::mapped_region region(old, bip::read_only, 0, sizeof(Header));
            const auto* h = static_cast<const Header*>(region.get_address());
            const int pid = h->writer_pid;
            const bool magic_ok = h->magic.load(std::memory_order_acquire) == magic_word();
            if (pid != self && pid_alive(pid))
                return make_error("exists", fmt::format("status table {} for {}: another hamaster (pid {}) owns it",
                                                        name, run_dir, pid));
            why = pid == self ? "written earlier by this process"
                              : magic_ok ? fmt::format("writer pid {} is dead", pid) : "bad header";
        } else {
            why = "too small to hold a header";
        }
        log.warn("Replacing stale status table {} for {} ({}).", name, run_dir, why);
        bip::shared_memory_object::remove(name.c_str());
    } catch (const bip::interprocess_exception& e) {
        if (e.get_error_code() != bip::not_found_error) return shm_error("cannot inspect", name, e);
    }

    // 2. A fresh one.
    auto state = std::make_unique<State>();
    try {
        state->shm = bip::shared_memory_object(bip::create_only, name.c_str(), bip::read_write, bip::permissions(0600));
        const int fd = state->shm.get_mapping_handle().handle;
        mode_t mode = 0600;
        if (struct group* g = ::getgrnam(kReaderGroup); g != nullptr && ::fchown(fd, static_cast<uid_t>(-1), g->gr_gid) == 0)
            mode = 0640;
        if (::fchmod(fd, mode) != 0) {
            int err = errno;
            bip::shared_memory_object::remove(name.c_str());
            return make_error("shm", fmt::format("status table {}: cannot chmod: {}", name, std::strerror(err)));
        }
        state->shm.truncate(static_cast<bip::offset_t>(sizeof(Segment)));
        state->region = bip::mapped_region(state->shm, bip::read_write);
    } catch (const bip::interprocess_exception& e) {
        if (e.get_error_code() == bip::already_exists_error)
            return make_error("exists", fmt::format("status table {} for {}: created by someone else meanwhile", name, run_dir));
        bip::shared_memory_object::remove(name.c_str());
        return shm_error("cannot create", name, e);
    }
    auto* segment = new (state->region.get_address()) Segment{};
    segment->header.version = kVersion;
    segment->header.header_bytes = sizeof(Header);
    segment->header.payload_bytes = sizeof(Payload);
    segment->header.writer_pid = self;
    segment->header.seq.store(0, std::memory_order_relaxed);
    segment->header.magic.store(magic_word(), std::memory_order_release);  // the segment is ready
    state->segment = segment;
    state->log = &log;
    return StatusTableWriter(std::move(state), name);
}

const std::optional<Error>& StatusTableWriter::last_error() const { return state_->last_error; }

bool StatusTableWriter::publish(const StatusSnapshot& snapshot) {
    Payload& scratch = *state_->scratch;
    StatusSnapshot stamped = snapshot;
    stamped.publish_count = state_->publish_count + 1;
    stamped.published_wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch()).count();
    if (auto r = encode_status(stamped, scratch); !r) {
        // Log the transition, not every publish (style.md §4).
        if (!state_->last_error || state_->last_error->message != r.error().message)
            state_->log->error("Status table not updated: {}", r.error().message);
        state_->last_error = r.error();
        return false;
    }
    if (state_->last_error) {
        state_->log->info("Status table updated again.");
        state_->last_error.reset();
    }
    ++state_->publish_count;

    Segment& seg = *state_->segment;
    const std::uint64_t seq = seg.header.seq.load(std::memory_order_relaxed);
    seg.header.seq.store(seq + 1, std::memory_order_relaxed);  // odd: readers retry
    std::atomic_thread_fence(std::memory_order_release);
    store_words(seg.payload, scratch);
    seg.header.seq.store(seq + 2, std::memory_order_release);
    return true;
}

// ---- reader ---------------------------------------------------------------------------------

struct StatusTableReader::State {
    std::string name;
    bip::shared_memory_object shm;
    bip::mapped_region region;
    const Segment* segment = nullptr;
};

StatusTableReader::StatusTableReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
StatusTableReader::StatusTableReader(StatusTableReader&& other) noexcept = default;
StatusTableReader& StatusTableReader::operator=(StatusTableReader&& other) noexcept = default;
StatusTableReader::~StatusTableReader() = default;

Result<StatusTableReader> StatusTableReader::open(const std::string& run_dir) {
    auto state = std::make_unique<State>();
    state->name = status_table_name(run_dir);
    const std::string& name = state->name;
    try {
        state->shm = bip::shared_memory_object(bip::open_only, name.c_str(), bip::read_only);
        bip::offset_t size = 0;
        if (!state->shm.get_size(size) || static_cast<std::size_t>(size) < sizeof(Header))
            return make_error("starting", fmt::format("status table {} for {} is not set up yet", name, run_dir));
        state->region = bip::mapped_region(state->shm, bip::read_only);
    } catch (const bip::interprocess_exception& e) {
        if (e.get_error_code() == bip::not_found_error)
            return make_error("not_found", fmt::format("no status table {} for {}: hamaster is not running", name, run_dir));
        return shm_error("cannot open", name, e);
    }
    const auto* seg = static_cast<const Segment*>(state->region.get_address());
    const std::uint32_t magic = seg->header.magic.load(std::memory_order_acquire);
    if (magic == 0) return make_error("starting", fmt::format("status table {} is not set up yet", name));
    if (magic != magic_word()) return make_error("bad_magic", fmt::format("status table {}: bad magic", name));
    if (seg->header.version != kVersion || seg->header.header_bytes != sizeof(Header) ||
        seg->header.payload_bytes != sizeof(Payload) || state->region.get_size() < sizeof(Segment))
        return make_error("bad_version", fmt::format("status table {}: layout version {} ({} + {} bytes), we read {}",
                                                     name, seg->header.version, seg->header.header_bytes,
                                                     seg->header.payload_bytes, kVersion));
    state->segment = seg;
    return StatusTableReader(std::move(state));
}

Result<StatusSnapshot> StatusTableReader::read() const {
    const Segment& seg = *state_->segment;
    const int pid = seg.header.writer_pid;
    if (!pid_alive(pid))
        return make_error("stale", fmt::format("status table {}: its writer (pid {}) is dead", state_->name, pid));
    auto copy = std::make_unique<Payload>();
    for (int attempt = 0; attempt < kReadRetries; ++attempt) {
        const std::uint64_t before = seg.header.seq.load(std::memory_order_acquire);
        if ((before & 1) == 0) {
            load_words(*copy, seg.payload);
            std::atomic_thread_fence(std::memory_order_acquire);
            if (seg.header.seq.load(std::memory_order_relaxed) == before) {
                auto snapshot = decode_status(*copy);
                if (snapshot) snapshot->writer_pid = pid;
                return snapshot;
            }
        }
        if (attempt > 16) std::this_thread::yield();
    }
    return make_error("busy", fmt::format("status table {}: no consistent copy after {} tries", state_->name, kReadRetries));
}

}  // namespace ha::ipc
