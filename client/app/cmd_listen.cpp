// hush listen: connect, send what is queued, then receive (decrypt, store,
// acknowledge, print) until --once/--count/--timeout or a signal says stop.
// A dropped connection (server restart) is reconnected with a growing pause.
#include <chrono>
#include <thread>

#include "commands.hpp"
#include "signals.hpp"

namespace hush::app {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kPollSlice{200};  // how soon a signal or deadline is noticed
constexpr milliseconds kFirstRetry{200};
constexpr milliseconds kMaxRetry{2000};

void report_flush(client::Messenger& m, const Globals& globals) {
  auto outcomes = m.flush_report();
  for (const auto& e : m.take_events()) print_event(e, globals);
  if (!outcomes) return;  // transport: kept queued, retried after the next reconnect
  for (const auto& o : *outcomes) {
    switch (o.status) {
      case client::SendOutcome::Status::sent:
        break;
      case client::SendOutcome::Status::unknown_user:
        print_error("queued message to unknown user " + o.peer + " dropped");
        break;
      case client::SendOutcome::Status::identity_changed:
        print_error("queued message to " + o.peer + " dropped: " + o.peer + "'s identity key changed");
        break;
      case client::SendOutcome::Status::rejected:
        print_error("queued message to " + o.peer + " refused by the server");
        break;
    }
  }
}

}  // namespace

int run_listen(const Globals& globals, const ListenArgs& args) {
  install_signal_handlers();
  auto session = open_session(globals);
  if (!session) return fail(session.error());
  auto& m = *session->messenger;

  const auto started = Clock::now();
  std::optional<Clock::time_point> deadline;
  if (args.timeout_seconds)
    deadline =
        started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(*args.timeout_seconds));
  auto time_is_up = [&] { return deadline && Clock::now() >= *deadline; };

  if (auto connected = m.connect(); !connected) {
    print_error("cannot connect to " + session->account.server + ": " + connected.error().message);
    return connect_unreachable(connected.error()) ? kExitUnreachable : kExitError;
  }
  for (const auto& e : m.take_events()) print_event(e, globals);
  report_flush(m, globals);

  std::uint64_t received = 0;
  milliseconds retry = kFirstRetry;
  bool said_lost = false;
  for (;;) {
    if (stop_requested() || time_is_up()) return kExitOk;
    if (!m.connected()) {
      if (!said_lost) {
        print_error("connection lost; reconnecting");
        said_lost = true;
      }
      if (auto c = m.connect(); !c) {
        // Sleep in slices so a signal or the deadline still ends us promptly.
        const auto until = Clock::now() + retry;
        while (Clock::now() < until && !stop_requested() && !time_is_up())
          std::this_thread::sleep_for(milliseconds(50));
        retry = std::min(retry * 2, kMaxRetry);
        continue;
      }
      retry = kFirstRetry;
      said_lost = false;
      for (const auto& e : m.take_events()) print_event(e, globals);
      report_flush(m, globals);
    }
    milliseconds wait = kPollSlice;
    if (deadline)
      wait =
          std::max(milliseconds(0), std::min(wait, std::chrono::duration_cast<milliseconds>(*deadline - Clock::now())));
    auto polled = m.poll(wait);
    for (const auto& e : m.take_events()) {
      if (print_event(e, globals)) {
        ++received;
        if (args.count && received >= *args.count) return kExitOk;
      }
    }
    if (!polled) {
      if (polled.code() != Errc::storage) return fail(polled.error());
      m.disconnect();  // reconnect at the top of the loop
      continue;
    }
    // QueueDrained comes after every queued envelope, and poll() handled
    // all pushes that had arrived: nothing queued is left unprinted.
    if (args.once && m.queue_drained()) return kExitOk;
  }
}

}  // namespace hush::app
