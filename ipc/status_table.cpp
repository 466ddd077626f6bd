// StatusTable — see status_table.hpp.
#include "ipc/status_table.hpp"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <new>
#include <thread>

#include <fmt/format.h>

namespace ha::ipc {

using namespace status_layout;

namespace {

// How long read() waits for the writer to finish a publish. Counted in time, not in tries: a
// writer preempted between its two counter stores (a loaded host, a master not scheduled for tens
// of milliseconds) keeps the counter odd however many times a reader looks; a bound in tries ran
// out in a few milliseconds of yields and made cl_status fail with "busy" (the CI flake of
// StatusTable.ReaderNeverSeesATornSnapshotWhileTheWriterPublishes). A dead writer is caught
// separately (pid check), so this bound only applies to a live writer that never finishes.
constexpr std::chrono::milliseconds kReadPatience{3000};
constexpr int kSpinTries = 64;  // then yield, then sleep: let a preempted writer have the CPU
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

std::string status_table_path(const std::string& run_dir) {
    std::string dir = run_dir;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    return dir + "/" + kStatusTableFile;
}

// ---- writer ---------------------------------------------------------------------------------

namespace {

// An mmapped file: unmapped and closed on destruction.
struct Mapping {
    int fd = -1;
    void* address = nullptr;
    std::size_t size = 0;
    Mapping() = default;
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    ~Mapping() {
        if (address != nullptr) ::munmap(address, size);
        if (fd >= 0) ::close(fd);
    }
};

Error sys_error(std::string_view what, const std::string& path) {
    return make_error("file", fmt::format("status table {}: {}: {}", path, what, std::strerror(errno)));
}

// Why an existing file at `path` may be replaced, or an error when a live master owns it.
// Only a regular file of our own user (root in production) can be a live table; anything else —
// a symlink, a FIFO, a file planted by another user — is removed without being opened.
Result<std::string> judge_existing(const std::string& path, const struct ::stat& st, int self) {
    if (!S_ISREG(st.st_mode)) return std::string("not a regular file");
    if (st.st_uid != ::geteuid()) return fmt::format("owned by uid {}, not by us", st.st_uid);
    if (static_cast<std::size_t>(st.st_size) < sizeof(Header)) return std::string("too small to hold a header");
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return std::string("unreadable");
    Header header{};
    const bool got = ::pread(fd, &header, sizeof header, 0) == static_cast<ssize_t>(sizeof header);
    ::close(fd);
    if (!got) return std::string("unreadable header");
    const int pid = header.writer_pid;
    if (header.magic.load(std::memory_order_relaxed) != magic_word()) return std::string("bad header");
    if (pid == self) return std::string("written earlier by this process");
    if (pid_alive(pid))
        return make_error("exists", fmt::format("status table {}: another hamaster (pid {}) owns it", path, pid));
    return fmt::format("writer pid {} is dead", pid);
}

}  // namespace

struct StatusTableWriter::State {
    Mapping map;
    std::string path;
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
        if (state_) ::unlink(name_.c_str());
        state_ = std::move(other.state_);
        name_ = std::move(other.name_);
    }
    return *this;
}

StatusTableWriter::~StatusTableWriter() {
    if (!state_) return;
    ::unlink(name_.c_str());
}

Result<StatusTableWriter> StatusTableWriter::create(const std::string& run_dir) {
    return create(run_dir, process_log());
}

Result<StatusTableWriter> StatusTableWriter::create(const std::string& run_dir, Log& log) {
    const std::string path = status_table_path(run_dir);
    const int self = static_cast<int>(::getpid());

    // 1. Something already there: refuse a live owner, replace anything else (lstat: never follow).
    struct ::stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        auto why = judge_existing(path, st, self);
        if (!why) return why.error();
        log.warn("Replacing stale status table {} ({}).", path, *why);
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) return sys_error("cannot remove the old one", path);
    } else if (errno != ENOENT) {
        return sys_error("cannot inspect", path);
    }

    // 2. A fresh one, created by us alone (O_EXCL, O_NOFOLLOW): nobody else's file is ever reused.
    auto state = std::make_unique<State>();
    state->path = path;
    Mapping& map = state->map;
    map.fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (map.fd < 0) {
        if (errno == EEXIST)
            return make_error("exists", fmt::format("status table {}: created by someone else meanwhile", path));
        return sys_error("cannot create", path);
    }
    auto fail = [&](std::string_view what) {
        Error e = sys_error(what, path);
        ::unlink(path.c_str());
        return e;
    };
    mode_t mode = 0600;
    if (struct group* g = ::getgrnam(kReaderGroup); g != nullptr && ::fchown(map.fd, static_cast<uid_t>(-1), g->gr_gid) == 0)
        mode = 0640;
    if (::fchmod(map.fd, mode) != 0) return fail("cannot chmod");
    if (::ftruncate(map.fd, static_cast<off_t>(sizeof(Segment))) != 0) return fail("cannot size");
    void* address = ::mmap(nullptr, sizeof(Segment), PROT_READ | PROT_WRITE, MAP_SHARED, map.fd, 0);
    if (address == MAP_FAILED) return fail("cannot map");
    map.address = address;
    map.size = sizeof(Segment);

    auto* segment = new (address) Segment{};
    segment->header.version = kVersion;
    segment->header.header_bytes = sizeof(Header);
    segment->header.payload_bytes = sizeof(Payload);
    segment->header.writer_pid = self;
    segment->header.seq.store(0, std::memory_order_relaxed);
    segment->header.magic.store(magic_word(), std::memory_order_release);  // the segment is ready
    state->segment = segment;
    state->log = &log;
    return StatusTableWriter(std::move(state), path);
}

const std::optional<Error>& StatusTableWriter::last_error() const { return state_->last_error; }

bool StatusTableWriter::publish(const StatusSnapshot& snapshot) {
    Payload& scratch = *state_->scratch;
    StatusSnapshot stamped = snapshot;
    stamped.publish_count = state_->publish_count + 1;
    stamped.published_wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch()).count();
    if (auto r = encode_status(stamped, scratch); !r) {
        // Log the transition, not every publish (docs/conventions.md §4).
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
    Mapping map;
    const Segment* segment = nullptr;
};

StatusTableReader::StatusTableReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
StatusTableReader::StatusTableReader(StatusTableReader&& other) noexcept = default;
StatusTableReader& StatusTableReader::operator=(StatusTableReader&& other) noexcept = default;
StatusTableReader::~StatusTableReader() = default;

Result<StatusTableReader> StatusTableReader::open(const std::string& run_dir) {
    auto state = std::make_unique<State>();
    state->name = status_table_path(run_dir);
    const std::string& name = state->name;
    Mapping& map = state->map;
    map.fd = ::open(name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (map.fd < 0) {
        if (errno == ENOENT)
            return make_error("not_found", fmt::format("no status table {}: hamaster is not running", name));
        return sys_error("cannot open", name);
    }
    struct ::stat st {};
    if (::fstat(map.fd, &st) != 0) return sys_error("cannot stat", name);
    if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != ::geteuid()))
        return make_error("bad_magic", fmt::format("status table {}: not a regular file of root's", name));
    if (static_cast<std::size_t>(st.st_size) < sizeof(Segment))
        return make_error("starting", fmt::format("status table {} is not set up yet", name));
    void* address = ::mmap(nullptr, sizeof(Segment), PROT_READ, MAP_SHARED, map.fd, 0);
    if (address == MAP_FAILED) return sys_error("cannot map", name);
    map.address = address;
    map.size = sizeof(Segment);
    const auto* seg = static_cast<const Segment*>(address);
    const std::uint32_t magic = seg->header.magic.load(std::memory_order_acquire);
    if (magic == 0) return make_error("starting", fmt::format("status table {} is not set up yet", name));
    if (magic != magic_word()) return make_error("bad_magic", fmt::format("status table {}: bad magic", name));
    if (seg->header.version != kVersion || seg->header.header_bytes != sizeof(Header) ||
        seg->header.payload_bytes != sizeof(Payload))
        return make_error("bad_version", fmt::format("status table {}: layout version {} ({} + {} bytes), we read {}",
                                                     name, seg->header.version, seg->header.header_bytes,
                                                     seg->header.payload_bytes, kVersion));
    state->segment = seg;
    return StatusTableReader(std::move(state));
}

Result<StatusSnapshot> StatusTableReader::read() const {
    const Segment& seg = *state_->segment;
    const int pid = seg.header.writer_pid;
    auto stale = [&] {
        return make_error("stale", fmt::format("status table {}: its writer (pid {}) is dead", state_->name, pid));
    };
    if (!pid_alive(pid)) return stale();
    auto copy = std::make_unique<Payload>();
    const auto deadline = std::chrono::steady_clock::now() + kReadPatience;
    auto pause = std::chrono::microseconds(50);
    for (int attempt = 0;; ++attempt) {
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
        if (attempt < kSpinTries) continue;
        if (attempt < 2 * kSpinTries) {
            std::this_thread::yield();
            continue;
        }
        // The writer is not running (preempted mid-publish, or gone): sleep so it gets the CPU,
        // backing off to 1 ms; a writer that died with the counter odd is stale, not busy.
        if (std::chrono::steady_clock::now() >= deadline) break;
        if (!pid_alive(pid)) return stale();
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(1000));
    }
    return make_error("busy", fmt::format("status table {}: no consistent copy within {} ms (writer pid {} busy)",
                                          state_->name, kReadPatience.count(), pid));
}

}  // namespace ha::ipc
