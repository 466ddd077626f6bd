// Helpers for the rscd unit tests: sample groups and a scripted fake agent driver for GroupRunner.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ipc/clock.hpp"
#include "ipc/config/haresources.hpp"
#include "ipc/log.hpp"
#include "rscd/arp_probe.hpp"
#include "rscd/group_runner.hpp"

namespace ha::rsc::test {

// A guard session ticked at each of its deadlines up to `until`, moving the fake clock; its actions.
inline std::vector<ProbeAction> run_session_until(ArpProbe& s, ipc::FakeClock& clock, ipc::SteadyTime until) {
    std::vector<ProbeAction> all;
    while (auto d = s.next_deadline()) {
        if (*d > until) break;
        if (*d > clock.now()) clock.advance(*d - clock.now());
        auto a = s.on_tick(clock.now());
        all.insert(all.end(), a.begin(), a.end());
    }
    if (until > clock.now()) clock.advance(until - clock.now());
    return all;
}
inline int probe_count(const std::vector<ProbeAction>& actions) {
    int n = 0;
    for (const auto& a : actions) n += std::holds_alternative<SendProbe>(a) ? 1 : 0;
    return n;
}
inline std::vector<Clearance> clearances(const std::vector<ProbeAction>& actions) {
    std::vector<Clearance> out;
    for (const auto& a : actions)
        if (const auto* c = std::get_if<Clearance>(&a)) out.push_back(*c);
    return out;
}

inline conf::Resource builtin_ip(std::string spec, std::string agent = "IPaddr") {
    conf::Resource r;
    r.word = agent + "::" + spec;
    r.agent = agent;
    r.args = {spec};
    r.kind = conf::AgentKind::builtin;
    if (auto parsed = conf::parse_builtin_ip_spec(agent, spec)) r.ip = *parsed;
    return r;
}

inline conf::Resource script(std::string name, std::vector<std::string> args = {},
                             conf::AgentKind kind = conf::AgentKind::heartbeat) {
    conf::Resource r;
    r.word = name;
    for (const auto& a : args) r.word += "::" + a;
    r.agent = name;
    r.args = std::move(args);
    r.kind = kind;
    r.path = kind == conf::AgentKind::lsb ? "/etc/init.d/" + name : "/etc/ha.d/resource.d/" + name;
    return r;
}

inline conf::ResourceGroup group_of(std::vector<conf::Resource> resources) {
    conf::ResourceGroup g;
    g.node = "web1";
    g.line = 1;
    g.resources = std::move(resources);
    g.text = "web1";
    for (const auto& r : g.resources) g.text += " " + r.word;
    return g;
}

// Answers RunAgent steps from a script: per "word action", a queue of results; when the queue is
// empty the default is used (status: "stopped", start/stop: exit 0). Records every call.
class FakeAgents {
public:
    void push(const std::string& word, const std::string& action, AgentResult r) {
        scripted_[word + " " + action].push_back(std::move(r));
    }
    std::vector<std::string> calls;
    std::vector<std::chrono::milliseconds> timeouts;

    // Drives the runner to its end; returns the outcome. Moves the clock to each WaitUntil.
    GroupOutcome run(GroupRunner& runner, ipc::FakeClock& clock, int max_steps = 1000) {
        for (int i = 0; i < max_steps; ++i) {
            Step step = runner.next(clock.now());
            if (auto* f = std::get_if<Finished>(&step)) return f->outcome;
            if (auto* w = std::get_if<WaitUntil>(&step)) {
                EXPECT_GT(w->when, clock.now());
                clock.advance(w->when - clock.now());
                continue;
            }
            const auto& run = std::get<RunAgent>(step);
            const auto& res = runner.group().resources.at(run.index);
            const std::string key = res.word + " " + std::string(agent_action_name(run.action));
            calls.push_back(key);
            timeouts.push_back(run.timeout);
            runner.on_result(answer(key, run.action), clock.now());
        }
        ADD_FAILURE() << "runner did not finish";
        return {};
    }

private:
    AgentResult answer(const std::string& key, AgentAction action) {
        auto it = scripted_.find(key);
        if (it != scripted_.end() && !it->second.empty()) {
            AgentResult r = std::move(it->second.front());
            it->second.pop_front();
            return r;
        }
        return action == AgentAction::status ? AgentResult::exit(0, "stopped\n") : AgentResult::exit(0);
    }
    std::map<std::string, std::deque<AgentResult>> scripted_;
};

}  // namespace ha::rsc::test
