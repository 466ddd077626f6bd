// bench_detect — how long web1 takes to declare a SIGKILLed web2 dead, and what an idle node costs.
//
// Two real hamaster nodes on this machine (tests/integration/fixture/cluster.hpp: web1 127.0.0.2,
// web2 127.0.0.3, owned by pid; a private network namespace when root). Per trial: SIGKILL every
// web2 process, then tail web1's hamaster.log (1 ms polls) for `node web2: is dead`; the time from
// the kill to the moment the line was seen is the detection time. web2 is restarted between trials
// and the next trial waits until both see each other active.
// Rows: UDP keepalive 100ms/deadtime 500ms; UDP 200ms/3s (the seed's 2s/30s scaled down 10x, fewer
// trials); serial only (socat pty null-modem) at 19200 and 115200 baud, 100ms/500ms.
// Goal per trial: detection <= 1.05 x deadtime + 1 keepalive.
// Then 10 s idle with UDP + serial: CPU % and RSS of web1's hamaster, heartbeatd-net and
// heartbeatd-serial from /proc/PID/stat and /proc/PID/status, and the serial link's load measured on
// the cable (socat -v length= records, web1 -> web2) as a share of 19200 and 115200 baud.
// Note: a pty does not pace bytes at the baud rate, so the serial rows measure hamaster, not a wire.
//
// Usage: bench_detect [-n TRIALS] (default 20; the 3 s row runs min(5, TRIALS)). Prints a table.
// Not a test: it asserts nothing (docs/conventions.md §10: timing is measured in bench/).
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/fixture/cluster.hpp"

#ifndef HA_BIN_DIR
#error "HA_BIN_DIR must point at build/bin"
#endif

namespace {

using namespace ha::it;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct Row {
    std::string label;
    std::string keepalive, deadtime, initdead;  // ha.cf syntax
    int keepalive_ms = 0, deadtime_ms = 0;
    int trials = 0;
    bool serial = false;
    std::string baud;
    std::vector<double> samples_ms;
    int failed = 0;  // trials without a dead line (or without recovery)
    std::string note;
};

std::string g_base;
int g_port = 24000;

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const double idx = p * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(idx);
    const auto hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (idx - static_cast<double>(lo));
}

void run_row(Row& row) {
    const std::string dir = fmt::format("{}/row{}", g_base, g_port);
    fs::create_directories(dir);
    Cluster::Config cfg;
    cfg.keepalive = row.keepalive;
    cfg.deadtime = row.deadtime;
    cfg.warntime = std::nullopt;
    cfg.initdead = row.initdead;
    std::unique_ptr<SocatCable> cable;
    if (row.serial) {
        cable = std::make_unique<SocatCable>(dir + "/ttyA", dir + "/ttyB", dir + "/socat.log");
        if (!cable->start()) {
            row.note = "socat did not start";
            return;
        }
        cfg.ucast = false;
        cfg.baud = row.baud;
        cfg.serial = {{"web1", dir + "/ttyA"}, {"web2", dir + "/ttyB"}};
    }
    Cluster c(dir, g_port++, HA_BIN_DIR, cfg);
    c.start("web1");
    c.start("web2");
    if (!wait_until([&] { return c.both_active(); }, 30s, 20ms)) {
        row.note = "the nodes never became active";
        std::fprintf(stderr, "%s\n", c.dump().c_str());
        return;
    }
    for (int t = 0; t < row.trials; ++t) {
        // Settle: a few keepalives of normal traffic after the (re)start.
        std::this_thread::sleep_for(std::chrono::milliseconds(3 * row.keepalive_ms));
        LogTail tail(c.log_path("web1"));
        const auto killed = Clock::now();
        c.kill_node("web2", SIGKILL);
        const auto seen = tail.wait_for("node web2: is dead", std::chrono::milliseconds(10 * row.deadtime_ms + 5000));
        if (seen) {
            row.samples_ms.push_back(std::chrono::duration<double, std::milli>(*seen - killed).count());
        } else {
            ++row.failed;
        }
        std::fprintf(stderr, "  %s trial %d: %s\n", row.label.c_str(), t + 1,
                     seen ? fmt::format("{:.1f} ms", row.samples_ms.back()).c_str() : "no dead line");
        c.start("web2");
        if (!wait_until([&] { return c.both_active(); }, 30s, 10ms)) {
            ++row.failed;
            row.note = "web2 did not come back";
            std::fprintf(stderr, "%s\n", c.dump().c_str());
            break;
        }
    }
    c.stop_all();
    if (cable) cable->stop();
}

struct ProcSample {
    std::string name;
    pid_t pid = -1;
    unsigned long long ticks0 = 0, ticks1 = 0;
    long rss_kb = 0, hwm_kb = 0;
    double cpu_pct = 0;
};

unsigned long long cpu_ticks(pid_t pid) {
    std::ifstream in(fmt::format("/proc/{}/stat", pid));
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = s.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(s.substr(close + 2));
    std::vector<std::string> f;
    for (std::string w; rest >> w;) f.push_back(w);
    if (f.size() < 13) return 0;
    return std::stoull(f[11]) + std::stoull(f[12]);  // utime, stime (fields 14 and 15)
}

long status_kb(pid_t pid, const std::string& key) {
    std::ifstream in(fmt::format("/proc/{}/status", pid));
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(key + ":", 0) == 0) return std::atol(line.c_str() + key.size() + 1);
    }
    return 0;
}

// socat -v writes `> 2024/11/29 04:37:20.123456  length=312 from=0 to=311` per transfer; '>' is
// left to right (ttyA, web1 -> ttyB, web2).
long long cable_bytes(const std::string& text) {
    long long total = 0;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("> ", 0) != 0) continue;
        const auto at = line.find("length=");
        if (at != std::string::npos) total += std::atoll(line.c_str() + at + 7);
    }
    return total;
}

}  // namespace

int main(int argc, char** argv) {
    int trials = 20;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-n" && i + 1 < argc) trials = std::max(1, std::atoi(argv[++i]));
        else {
            std::fprintf(stderr, "usage: bench_detect [-n TRIALS]\n");
            return 2;
        }
    }
    const auto& sb = enter_test_sandbox();
    char tmpl[] = "/tmp/ha-bench-detect-XXXXXX";
    if (!::mkdtemp(tmpl)) return 1;
    g_base = tmpl;
    const bool have_socat = fs::exists("/usr/bin/socat");
    const auto start = Clock::now();

    std::vector<Row> rows;
    auto row = [&](std::string label, std::string ka, std::string dt, std::string init, int ka_ms, int dt_ms, int n,
                   std::string baud) {
        Row r;
        r.label = std::move(label);
        r.keepalive = std::move(ka);
        r.deadtime = std::move(dt);
        r.initdead = std::move(init);
        r.keepalive_ms = ka_ms;
        r.deadtime_ms = dt_ms;
        r.trials = n;
        r.serial = !baud.empty();
        r.baud = std::move(baud);
        rows.push_back(std::move(r));
    };
    row("UDP 100ms/500ms", "100ms", "500ms", "1", 100, 500, trials, "");
    row("UDP 200ms/3s (seed 2s/30s / 10)", "200ms", "3", "3", 200, 3000, std::min(5, trials), "");
    if (have_socat) {
        row("serial 19200 100ms/500ms", "100ms", "500ms", "1", 100, 500, trials, "19200");
        row("serial 115200 100ms/500ms", "100ms", "500ms", "1", 100, 500, trials, "115200");
    }
    for (auto& r : rows) {
        std::fprintf(stderr, "%s: %d trials\n", r.label.c_str(), r.trials);
        run_row(r);
    }

    // Idle cost: UDP + serial, keepalive 100ms, deadtime 1s, 10 s.
    std::vector<ProcSample> procs;
    double bytes_per_s = -1;
    {
        const std::string dir = g_base + "/idle";
        fs::create_directories(dir);
        Cluster::Config cfg;  // 100ms / 1 / 500ms / 2
        std::unique_ptr<SocatCable> cable;
        if (have_socat) {
            cable = std::make_unique<SocatCable>(dir + "/ttyA", dir + "/ttyB", dir + "/socat.log", /*verbose=*/true);
            if (cable->start()) {
                cfg.baud = "19200";
                cfg.serial = {{"web1", dir + "/ttyA"}, {"web2", dir + "/ttyB"}};
            }
        }
        Cluster c(dir, g_port++, HA_BIN_DIR, cfg);
        c.start("web1");
        c.start("web2");
        if (wait_until([&] { return c.both_active(); }, 30s, 20ms)) {
            std::this_thread::sleep_for(1s);
            procs.push_back({"hamaster", c.node("web1").pid});
            for (const char* n : {"heartbeatd-net", "heartbeatd-serial"}) {
                if (auto p = c.child("web1", n)) procs.push_back({n, *p});
            }
            for (auto& p : procs) p.ticks0 = cpu_ticks(p.pid);
            const std::size_t off0 = read_file(dir + "/socat.log").size();
            const auto t0 = Clock::now();
            std::this_thread::sleep_for(10s);
            const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
            const std::string socat_log = read_file(dir + "/socat.log");
            for (auto& p : procs) {
                p.ticks1 = cpu_ticks(p.pid);
                p.rss_kb = status_kb(p.pid, "VmRSS");
                p.hwm_kb = status_kb(p.pid, "VmHWM");
            }
            if (cable && socat_log.size() >= off0) bytes_per_s = static_cast<double>(cable_bytes(socat_log.substr(off0))) / secs;
            const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
            for (auto& p : procs) p.cpu_pct = 100.0 * static_cast<double>(p.ticks1 - p.ticks0) / hz / secs;
        } else {
            std::fprintf(stderr, "idle: the nodes never became active\n%s\n", c.dump().c_str());
        }
        c.stop_all();
        if (cable) cable->stop();
    }

    // ---- the table
    std::printf("bench_detect — SIGKILL of web2 -> web1 logs `node web2: is dead` (kill to line seen, 1 ms log polls)\n");
    std::printf("host: %ld CPUs; %s; build/bin: %s\n", ::sysconf(_SC_NPROCESSORS_ONLN),
                sb.private_netns ? "private network namespace" : ("host network (" + sb.why_not + ")").c_str(), HA_BIN_DIR);
    std::printf("goal per trial: <= 1.05 x deadtime + 1 keepalive\n\n");
    std::printf("%-34s %6s %8s %8s %8s %8s %8s %7s %7s %10s\n", "row", "trials", "min ms", "median", "p95", "max",
                "goal ms", "med/dt", "max/dt", "within");
    for (const auto& r : rows) {
        const double goal = 1.05 * r.deadtime_ms + r.keepalive_ms;
        const int ok = static_cast<int>(std::count_if(r.samples_ms.begin(), r.samples_ms.end(), [&](double s) { return s <= goal; }));
        const double mn = r.samples_ms.empty() ? 0 : *std::min_element(r.samples_ms.begin(), r.samples_ms.end());
        const double mx = r.samples_ms.empty() ? 0 : *std::max_element(r.samples_ms.begin(), r.samples_ms.end());
        const double med = percentile(r.samples_ms, 0.5);
        std::printf("%-34s %6zu %8.1f %8.1f %8.1f %8.1f %8.1f %7.3f %7.3f %5d/%-4zu%s\n", r.label.c_str(), r.samples_ms.size(), mn,
                    med, percentile(r.samples_ms, 0.95), mx, goal, med / r.deadtime_ms, mx / r.deadtime_ms, ok,
                    r.samples_ms.size() + static_cast<std::size_t>(r.failed),
                    r.note.empty() ? "" : ("  (" + r.note + ")").c_str());
    }
    std::printf("(the 200ms/3s row runs %d trials to keep the bench short)\n", std::min(5, trials));
    if (!have_socat) std::printf("(serial rows skipped: socat not installed)\n");

    std::printf("\nidle, 10 s, web1 with ucast + serial (keepalive 100ms, deadtime 1s):\n");
    std::printf("%-18s %8s %8s %10s %10s\n", "process", "pid", "CPU %", "RSS kB", "peak kB");
    for (const auto& p : procs) {
        std::printf("%-18s %8d %8.2f %10ld %10ld\n", p.name.c_str(), p.pid, p.cpu_pct, p.rss_kb,
                    p.hwm_kb);
    }
    if (bytes_per_s >= 0) {
        const double per_hb = bytes_per_s / 10.0;  // 10 heartbeats/s at keepalive 100ms
        std::printf("\nserial link web1 -> web2, measured on the cable (socat -v): %.0f bytes/s = %.0f bytes per heartbeat "
                    "(10/s; includes any other message)\n",
                    bytes_per_s, per_hb);
        for (int baud : {19200, 115200}) {
            std::printf("  share of %6d baud: %.0f B x 10/s x 10 bits / %d = %.1f %%%s\n", baud, per_hb, baud,
                        100.0 * per_hb * 10.0 * 10.0 / baud, per_hb * 100.0 > baud ? "  (over capacity on a real line)" : "");
        }
    }
    std::printf("\ntotal bench time %.0f s; work dir %s\n", std::chrono::duration<double>(Clock::now() - start).count(), g_base.c_str());
    std::error_code ec;
    if (std::getenv("HA_KEEP_BENCH_DIR") == nullptr) fs::remove_all(g_base, ec);
    return 0;
}
