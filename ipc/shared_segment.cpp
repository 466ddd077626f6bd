// SharedSegment — see shared_segment.hpp.
#include "ipc/shared_segment.hpp"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include <fmt/format.h>

namespace ha::ipc {

namespace {

Error sys_error(const SegmentKind& kind, std::string_view what, const std::string& path) {
    return make_error("file", fmt::format("{} {}: {}: {}", kind.what, path, what, std::strerror(errno)));
}

// Why an existing file at `path` may be replaced, or an error when a live writer owns it.
// Only a regular file of our own user (root in production) can be a live segment; anything else —
// a symlink, a FIFO, a file planted by another user — is removed without being opened.
Result<std::string> judge_existing(const std::string& path, const struct ::stat& st, const SegmentKind& kind, int self) {
    if (!S_ISREG(st.st_mode)) return std::string("not a regular file");
    if (st.st_uid != ::geteuid()) return fmt::format("owned by uid {}, not by us", st.st_uid);
    if (static_cast<std::size_t>(st.st_size) < sizeof(SegmentHeader)) return std::string("too small to hold a header");
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return std::string("unreadable");
    SegmentHeader header{};
    const bool got = ::pread(fd, &header, sizeof header, 0) == static_cast<ssize_t>(sizeof header);
    ::close(fd);
    if (!got) return std::string("unreadable header");
    const int pid = header.writer_pid;
    if (header.magic.load(std::memory_order_relaxed) != segment_magic_word(kind.magic)) return std::string("bad header");
    if (pid == self) return std::string("written earlier by this process");
    if (pid_alive(pid) && kind.sole_writer)
        return fmt::format("writer pid {} still runs, but this writer is the only one its master started", pid);
    if (pid_alive(pid))
        return make_error("exists", fmt::format("{} {}: another {} (pid {}) owns it", kind.what, path, kind.owner, pid));
    return fmt::format("writer pid {} is dead", pid);
}

}  // namespace

std::uint32_t segment_magic_word(const char* magic) {
    std::uint32_t m = 0;
    std::memcpy(&m, magic, sizeof m);
    return m;
}

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

std::string run_dir_file(const std::string& run_dir, std::string_view file) {
    std::string dir = run_dir;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    return dir + "/" + std::string(file);
}

// ---- mapping --------------------------------------------------------------------------------

MappedSegment::MappedSegment(MappedSegment&& other) noexcept
    : fd_(other.fd_), address_(other.address_), size_(other.size_), path_(std::move(other.path_)), unlink_(other.unlink_) {
    other.fd_ = -1;
    other.address_ = nullptr;
    other.unlink_ = false;
}

MappedSegment& MappedSegment::operator=(MappedSegment&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = other.fd_;
        address_ = other.address_;
        size_ = other.size_;
        path_ = std::move(other.path_);
        unlink_ = other.unlink_;
        other.fd_ = -1;
        other.address_ = nullptr;
        other.unlink_ = false;
    }
    return *this;
}

MappedSegment::~MappedSegment() { reset(); }

void MappedSegment::reset() {
    if (unlink_) {
        // Only our own file: a successor may have replaced it (SegmentKind::sole_writer).
        struct ::stat mine {}, there {};
        if (fd_ >= 0 && ::fstat(fd_, &mine) == 0 && ::lstat(path_.c_str(), &there) == 0 && mine.st_ino == there.st_ino &&
            mine.st_dev == there.st_dev)
            ::unlink(path_.c_str());
    }
    if (address_ != nullptr) ::munmap(address_, size_);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    address_ = nullptr;
    unlink_ = false;
}

void MappedSegment::ready(const char* magic) const {
    header().magic.store(segment_magic_word(magic), std::memory_order_release);
}

Result<MappedSegment> create_segment(const std::string& path, const SegmentKind& kind, Log& log) {
    const int self = static_cast<int>(::getpid());

    // 1. Something already there: refuse a live owner, replace anything else (lstat: never follow).
    struct ::stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        auto why = judge_existing(path, st, kind, self);
        if (!why) return why.error();
        log.warn("Replacing stale {} {} ({}).", kind.what, path, *why);
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) return sys_error(kind, "cannot remove the old one", path);
    } else if (errno != ENOENT) {
        return sys_error(kind, "cannot inspect", path);
    }

    // 2. A fresh one, created by us alone (O_EXCL, O_NOFOLLOW): nobody else's file is ever reused.
    MappedSegment map;
    map.fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (map.fd_ < 0) {
        if (errno == EEXIST)
            return make_error("exists", fmt::format("{} {}: created by someone else meanwhile", kind.what, path));
        return sys_error(kind, "cannot create", path);
    }
    map.path_ = path;
    map.unlink_ = true;  // from here on a failure removes what we created
    mode_t mode = 0600;
    if (kind.reader_group != nullptr)
        if (struct group* g = ::getgrnam(kind.reader_group); g != nullptr && ::fchown(map.fd_, static_cast<uid_t>(-1), g->gr_gid) == 0)
            mode = 0640;
    if (::fchmod(map.fd_, mode) != 0) return sys_error(kind, "cannot chmod", path);
    const std::size_t size = sizeof(SegmentHeader) + kind.payload_bytes;
    if (::ftruncate(map.fd_, static_cast<off_t>(size)) != 0) return sys_error(kind, "cannot size", path);
    void* address = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, map.fd_, 0);
    if (address == MAP_FAILED) return sys_error(kind, "cannot map", path);
    map.address_ = address;
    map.size_ = size;

    auto* header = new (address) SegmentHeader{};  // the payload is zero (a fresh file)
    header->version = kind.version;
    header->header_bytes = sizeof(SegmentHeader);
    header->payload_bytes = static_cast<std::uint32_t>(kind.payload_bytes);
    header->writer_pid = self;
    header->seq.store(0, std::memory_order_relaxed);
    return map;
}

Result<MappedSegment> open_segment(const std::string& path, const SegmentKind& kind) {
    MappedSegment map;
    map.fd_ = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (map.fd_ < 0) {
        if (errno == ENOENT)
            return make_error("not_found", fmt::format("no {} {}: {} is not running", kind.what, path, kind.owner));
        return sys_error(kind, "cannot open", path);
    }
    map.path_ = path;
    struct ::stat st {};
    if (::fstat(map.fd_, &st) != 0) return sys_error(kind, "cannot stat", path);
    if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != ::geteuid()))
        return make_error("bad_magic", fmt::format("{} {}: not a regular file of root's", kind.what, path));
    const std::size_t size = sizeof(SegmentHeader) + kind.payload_bytes;
    if (static_cast<std::size_t>(st.st_size) < sizeof(SegmentHeader))
        return make_error("starting", fmt::format("{} {} is not set up yet", kind.what, path));
    // Map what is there (at most what we expect): a file of another layout is refused below by
    // its header, not by a short mapping.
    const std::size_t mapped = std::min(size, static_cast<std::size_t>(st.st_size));
    void* address = ::mmap(nullptr, mapped, PROT_READ, MAP_SHARED, map.fd_, 0);
    if (address == MAP_FAILED) return sys_error(kind, "cannot map", path);
    map.address_ = address;
    map.size_ = mapped;
    const SegmentHeader& h = map.header();
    const std::uint32_t magic = h.magic.load(std::memory_order_acquire);
    if (magic == 0) return make_error("starting", fmt::format("{} {} is not set up yet", kind.what, path));
    if (magic != segment_magic_word(kind.magic)) return make_error("bad_magic", fmt::format("{} {}: bad magic", kind.what, path));
    if (h.version != kind.version || h.header_bytes != sizeof(SegmentHeader) || h.payload_bytes != kind.payload_bytes ||
        mapped < size)
        return make_error("bad_version", fmt::format("{} {}: layout version {} ({} + {} bytes), we read {}", kind.what, path,
                                                     h.version, h.header_bytes, h.payload_bytes, kind.version));
    return map;
}

// ---- seqlock --------------------------------------------------------------------------------

void seqlock_store(SegmentHeader& header, void* dst, const void* src, std::size_t bytes) {
    auto* d = static_cast<std::uint64_t*>(dst);
    const auto* s = static_cast<const std::uint64_t*>(src);
    const std::uint64_t seq = header.seq.load(std::memory_order_relaxed);
    header.seq.store(seq + 1, std::memory_order_relaxed);  // odd: readers retry
    std::atomic_thread_fence(std::memory_order_release);
    for (std::size_t i = 0; i < bytes / 8; ++i) __atomic_store_n(d + i, s[i], __ATOMIC_RELAXED);
    header.seq.store(seq + 2, std::memory_order_release);
}

bool seqlock_try_load(const SegmentHeader& header, void* dst, const void* src, std::size_t bytes) {
    const std::uint64_t before = header.seq.load(std::memory_order_acquire);
    if ((before & 1) != 0) return false;
    auto* d = static_cast<std::uint64_t*>(dst);
    const auto* s = static_cast<const std::uint64_t*>(src);
    for (std::size_t i = 0; i < bytes / 8; ++i) d[i] = __atomic_load_n(s + i, __ATOMIC_RELAXED);
    std::atomic_thread_fence(std::memory_order_acquire);
    return header.seq.load(std::memory_order_relaxed) == before;
}

}  // namespace ha::ipc
