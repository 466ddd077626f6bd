// ChildSupervisor and the media lane: a child whose spec says `lane` gets a fresh socketpair at
// each start, its end as fd 3 with `--bus-fd 3`, ours through on_lane (ipc/bus.hpp "the media lane").
#include "master/child_supervisor.hpp"

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "ipc/bus.hpp"
#include "ipc/clock.hpp"

using namespace std::chrono_literals;
using namespace ha::master;

TEST(ChildSupervisorLane, LaneChildGetsItsEndAsFd3WithBusFdAndTheMasterKeepsTheOther) {
    char tmpl[] = "/tmp/ha-sup-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    const std::string out = dir + "/out";
    boost::asio::io_context io;
    ha::ipc::SystemClock clock;
    ha::ipc::CaptureLog log;
    ChildSupervisor supervisor(io, clock, log, RespawnParams{});
    std::vector<std::pair<std::string, int>> lanes;
    supervisor.on_lane = [&](const std::string& name, int fd) { lanes.emplace_back(name, fd); };
    ChildSpec spec;
    spec.name = "lanechild";
    // Writes its arguments and what its fd 3 is, then exits.
    spec.argv = {"/bin/sh", "-c", "{ echo \"$*\"; stat -L -c %F /proc/self/fd/3; } > " + out + ".tmp && mv " + out +
                                      ".tmp " + out,
                 "sh"};
    spec.beats = false;
    spec.lane = true;
    supervisor.add(spec);
    supervisor.start_all();

    ASSERT_EQ(lanes.size(), 1u) << log.dump();
    EXPECT_EQ(lanes[0].first, "lanechild");
    const int ours = lanes[0].second;
    EXPECT_TRUE(ha::ipc::check_lane_fd(ours));
    EXPECT_EQ(log.count("Starting child lanechild (pid"), 1) << log.dump();
    EXPECT_EQ(log.count("sh --bus-fd 3"), 1) << "the executed argv, in the log" << log.dump();
    for (int i = 0; i < 500 && !std::filesystem::exists(out); ++i) std::this_thread::sleep_for(20ms);
    std::ifstream written(out);
    std::string args, fd3;
    std::getline(written, args);
    std::getline(written, fd3);
    EXPECT_EQ(args, "--bus-fd 3");
    EXPECT_EQ(fd3, "socket");
    // Once the child is gone our end reads end of file: the master kept no copy of the child's end.
    timeval tv{10, 0};
    ::setsockopt(ours, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char byte = 0;
    EXPECT_EQ(::recv(ours, &byte, 1, 0), 0) << std::strerror(errno);
    int status = 0;
    ::waitpid(supervisor.pid_of("lanechild"), &status, 0);
    ::close(ours);
    std::filesystem::remove_all(dir);
}
