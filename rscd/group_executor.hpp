// GroupExecutor — the shell around GroupRunner: carries out its steps on the Asio loop.
//
// One operation at a time (docs/architecture.md: rscd runs one group at a time). RunAgent steps go to the
// built-in IpAddr (in-process, then the ArpAnnouncer) or to the ProcessLauncher; WaitUntil arms a
// steady_timer; Finished calls the `done` handler. An agent's stdout/stderr lines are logged as
// `<agent>[pid]: <line>` (info for start/stop, debug for status). abort() forwards to the runner,
// so a start in progress turns into a release (SIGTERM, master gone). announce() runs beside all
// that: it reads where the group's VIPs are and hands the ones on this node to the ArpAnnouncer
// (a stop that removes one later cancels its rounds, as after a start).
//
// Time and blocking: Clock& for the runner's `now`, steady_timer for retries; nothing blocks
// beyond IpAddr's netlink round trips.
// Diagnostics: the runner's lines (group_runner.hpp) plus the agents' output; announce: info
// `IPaddr: 192.0.2.100 is not on this node: not announcing it`, ERROR `IPaddr: cannot announce
// 192.0.2.100: <netlink error>` (the ArpAnnouncer logs the rounds it starts).
// See also: group_runner.hpp, process_launcher.hpp, ip_addr.hpp.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>

#include "ipc/clock.hpp"
#include "ipc/log.hpp"
#include "rscd/arp_announcer.hpp"
#include "rscd/group_operator.hpp"
#include "rscd/group_runner.hpp"
#include "rscd/ip_addr.hpp"
#include "rscd/process_launcher.hpp"

namespace ha::rsc {

class GroupExecutor final : public GroupOperator {
public:

    GroupExecutor(boost::asio::io_context& io, ProcessLauncher& launcher, IpAddr& ip_addr, ArpAnnouncer& arp,
                  ipc::Clock& clock, ipc::Log& log, RunnerOptions options = {});

    // Runs `op` on `group` (which must outlive the run). Precondition: !busy().
    void run(const conf::ResourceGroup& group, GroupOp op, Done done) override;
    void abort() override;
    // IpAddr::present_announcement() for each address of the group, then ArpAnnouncer::announce().
    GroupOutcome announce(const conf::ResourceGroup& group) override;
    bool busy() const { return runner_ != nullptr; }
    const conf::ResourceGroup* current_group() const { return runner_ ? &runner_->group() : nullptr; }
    GroupOp current_op() const { return runner_ ? runner_->op() : GroupOp::status; }

private:
    void drive();
    void on_agent_result(std::size_t index, AgentAction action, AgentResult result);
    void log_output(const conf::Resource& resource, AgentAction action, const AgentResult& result);

    boost::asio::io_context& io_;
    ProcessLauncher& launcher_;
    IpAddr& ip_addr_;
    ArpAnnouncer& arp_;
    ipc::Clock& clock_;
    ipc::Log& log_;
    RunnerOptions options_;
    boost::asio::steady_timer timer_;
    std::unique_ptr<GroupRunner> runner_;
    Done done_;
};

}  // namespace ha::rsc
