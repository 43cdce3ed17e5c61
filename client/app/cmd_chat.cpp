// hush chat USER: a full-screen conversation.
//
// Two threads. A worker owns the Messenger (which is single-threaded): it
// keeps the connection up, sends what the user typed, and receives; it
// reports everything as UiEvents through a queue and a wake-up pipe. The
// main thread owns the terminal: it waits (poll(2)) on the keyboard, the
// wake-up pipe and the signal pipe, edits the input line, and redraws the
// whole screen after every event and on SIGWINCH.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "chat_screen.hpp"
#include "chat_terminal.hpp"
#include "commands.hpp"
#include "signals.hpp"

namespace hush::app {

namespace {

using std::chrono::milliseconds;

constexpr std::size_t kHistoryShown = 200;
constexpr milliseconds kPollSlice{200};  // how soon typed lines and stop are noticed
constexpr milliseconds kMaxRetry{2000};

std::string hhmm(std::uint64_t ms) {
  return format_time(ms).substr(11, 5);
}

struct UiEvent {
  enum class Type { line, connection, trust, status };
  Type type = Type::line;
  ChatLine line;
  std::string text;
};

// Worker -> UI: events plus a byte on a pipe to wake the UI's poll().
class UiQueue {
 public:
  UiQueue() {
    if (::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) pipe_[0] = pipe_[1] = -1;
  }
  ~UiQueue() {
    for (int fd : pipe_)
      if (fd >= 0) ::close(fd);
  }
  int fd() const { return pipe_[0]; }
  void post(UiEvent e) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(std::move(e));
    }
    const char b = 1;
    [[maybe_unused]] auto n = ::write(pipe_[1], &b, 1);
  }
  std::deque<UiEvent> take() {
    char buf[64];
    while (::read(pipe_[0], buf, sizeof buf) > 0) {
    }
    std::lock_guard<std::mutex> lock(mu_);
    std::deque<UiEvent> out;
    out.swap(events_);
    return out;
  }

 private:
  int pipe_[2] = {-1, -1};
  std::mutex mu_;
  std::deque<UiEvent> events_;
};

// UI -> worker: lines to send, and stop.
class Outgoing {
 public:
  void push(std::string text) {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.push_back(std::move(text));
    cv_.notify_one();
  }
  std::deque<std::string> take() {
    std::lock_guard<std::mutex> lock(mu_);
    std::deque<std::string> out;
    out.swap(lines_);
    return out;
  }
  // Waits up to `t` for a line or stop.
  void wait(milliseconds t) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, t, [&] { return !lines_.empty() || stop_; });
  }
  void stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_one();
  }
  bool stopped() {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> lines_;
  bool stop_ = false;
};

UiEvent notice(std::string text) {
  UiEvent e;
  e.type = UiEvent::Type::line;
  e.line = ChatLine{"", "", std::move(text), true};
  return e;
}
UiEvent simple(UiEvent::Type type, std::string text) {
  UiEvent e;
  e.type = type;
  e.text = std::move(text);
  return e;
}

class Worker {
 public:
  Worker(client::Messenger& m, std::string peer, UiQueue& ui, Outgoing& out)
      : m_(m), peer_(std::move(peer)), ui_(ui), out_(out) {}

  void run() {
    milliseconds retry{200};
    while (!out_.stopped()) {
      if (!m_.connected()) {
        ui_.post(simple(UiEvent::Type::connection, "connecting"));
        if (auto c = m_.connect(); !c) {
          ui_.post(simple(UiEvent::Type::connection, "offline"));
          ui_.post(simple(UiEvent::Type::status, "server unreachable; retrying (typed messages are queued)"));
          queue_typed();
          out_.wait(retry);
          retry = std::min(retry * 2, kMaxRetry);
          continue;
        }
        retry = milliseconds(200);
        ui_.post(simple(UiEvent::Type::connection, "online"));
        ui_.post(simple(UiEvent::Type::status, ""));
        forward_events();
        flush_queued();
      }
      send_typed();
      auto polled = m_.poll(kPollSlice);
      forward_events();
      if (!polled) {
        m_.disconnect();
        ui_.post(simple(UiEvent::Type::connection, "offline"));
      }
    }
  }

 private:
  // While offline: typed lines go to the outbox and are shown as queued.
  void queue_typed() {
    for (auto& text : out_.take()) {
      auto id = m_.enqueue(peer_, text);
      if (!id) {
        refused(id.error());
        continue;
      }
      ui_.post(UiEvent{UiEvent::Type::line, ChatLine{hhmm(now_ms()), "me", text + "  (queued)", false}, {}});
    }
  }

  void send_typed() {
    for (auto& text : out_.take()) {
      auto id = m_.enqueue(peer_, text);
      if (!id) {
        refused(id.error());
        continue;
      }
      auto outcomes = m_.flush_report();
      forward_events();
      if (!outcomes) {
        ui_.post(UiEvent{UiEvent::Type::line, ChatLine{hhmm(now_ms()), "me", text + "  (queued)", false}, {}});
        ui_.post(simple(UiEvent::Type::status, "not sent yet: " + outcomes.error().message));
        m_.disconnect();
        return;
      }
      for (const auto& o : *outcomes) report(o, o.id == *id ? &text : nullptr);
    }
  }

  // Messages queued before (an earlier offline spell, or another hush).
  void flush_queued() {
    auto outcomes = m_.flush_report();
    forward_events();
    if (!outcomes) return;
    for (const auto& o : *outcomes) report(o, nullptr);
  }

  void report(const client::SendOutcome& o, const std::string* text) {
    using Status = client::SendOutcome::Status;
    switch (o.status) {
      case Status::sent:
        if (text != nullptr)
          ui_.post(UiEvent{UiEvent::Type::line, ChatLine{hhmm(now_ms()), "me", *text, false}, {}});
        else if (o.peer == peer_)
          ui_.post(notice("a queued message was sent"));
        break;
      case Status::unknown_user:
        ui_.post(notice("not sent: there is no user " + o.peer));
        break;
      case Status::identity_changed:
        ui_.post(simple(UiEvent::Type::trust, "KEY CHANGED"));
        ui_.post(notice("not sent: " + o.peer + "'s identity key changed; quit and run `hush verify " + o.peer + "`"));
        break;
      case Status::rejected:
        ui_.post(notice("not sent: the server refused the message"));
        break;
    }
  }

  void refused(const Error& e) {
    if (e.code == Errc::untrusted_identity) {
      ui_.post(simple(UiEvent::Type::trust, "KEY CHANGED"));
      ui_.post(notice("not sent: " + peer_ + "'s identity key changed; quit and run `hush verify " + peer_ + "`"));
    } else {
      ui_.post(notice("not sent: " + e.message));
    }
  }

  void forward_events() {
    using Type = client::MessengerEvent::Type;
    for (auto& e : m_.take_events()) {
      switch (e.type) {
        case Type::message:
          if (e.peer == peer_)
            ui_.post(UiEvent{UiEvent::Type::line, ChatLine{hhmm(e.message.sent_ms), peer_, e.message.body, false}, {}});
          else
            ui_.post(notice("new message from " + e.peer + " (hush history " + e.peer + ")"));
          break;
        case Type::undecryptable:
          ui_.post(notice("a message from " + e.peer + " could not be decrypted (" + std::string(errc_name(e.reason)) +
                          ")"));
          break;
        case Type::identity_changed:
          if (e.peer == peer_) ui_.post(simple(UiEvent::Type::trust, "KEY CHANGED"));
          ui_.post(notice(e.peer + "'s identity key changed"));
          break;
        case Type::warning:
          ui_.post(simple(UiEvent::Type::status, e.text));
          break;
      }
    }
  }

  client::Messenger& m_;
  std::string peer_;
  UiQueue& ui_;
  Outgoing& out_;
};

std::string trust_of(const std::optional<client::ContactRecord>& c) {
  if (!c) return "unverified";
  return c->identity_changed ? "KEY CHANGED" : c->verified ? "verified" : "unverified";
}

}  // namespace

int run_chat(const Globals& globals, const ChatArgs& args) {
  install_signal_handlers();
  auto session = open_session(globals);
  if (!session) return fail(session.error());
  auto& m = *session->messenger;

  ChatScreen screen(args.user);
  auto contact = m.state().contact(args.user);
  if (!contact) return fail(contact.error());
  screen.set_trust(trust_of(*contact));
  auto history = m.state().history(args.user, kHistoryShown);
  if (!history) return fail(history.error());
  for (const auto& msg : *history) {
    const bool out = msg.direction == client::MessageDirection::out;
    screen.add_line(ChatLine{hhmm(msg.sent_ms), out ? "me" : msg.peer, msg.body, false});
  }

  ChatTerminal term(STDIN_FILENO);
  if (!term.ok()) {
    print_error("hush chat needs a terminal (use send and listen in scripts)");
    return kExitError;
  }
  UiQueue ui;
  Outgoing outgoing;
  Worker worker(m, args.user, ui, outgoing);
  std::thread worker_thread([&] { worker.run(); });

  auto redraw = [&] {
    int rows = 0, cols = 0;
    term.size(rows, cols);
    term.write_all(screen.render(rows, cols));
  };
  redraw();
  KeyDecoder decoder;
  bool quit = false;
  while (!quit && !stop_requested()) {
    pollfd fds[3] = {{term.fd(), POLLIN, 0}, {ui.fd(), POLLIN, 0}, {signal_fd(), POLLIN, 0}};
    if (::poll(fds, 3, 1000) < 0 && errno != EINTR) break;
    if (fds[2].revents != 0) drain_signal_fd();
    bool dirty = take_resize();
    if (fds[1].revents != 0) {
      for (auto& e : ui.take()) {
        switch (e.type) {
          case UiEvent::Type::line:
            screen.add_line(std::move(e.line));
            break;
          case UiEvent::Type::connection:
            screen.set_connection(e.text);
            break;
          case UiEvent::Type::trust:
            screen.set_trust(e.text);
            break;
          case UiEvent::Type::status:
            screen.set_status(e.text);
            break;
        }
      }
      dirty = true;
    }
    if (fds[0].revents != 0) {
      char buf[256];
      const ssize_t n = ::read(term.fd(), buf, sizeof buf);
      if (n == 0) quit = true;  // the terminal went away
      for (const auto& key : n > 0 ? decoder.feed(buf, static_cast<std::size_t>(n)) : std::vector<Key>{}) {
        switch (key.type) {
          case Key::Type::text:
            screen.insert(key.text);
            break;
          case Key::Type::backspace:
            screen.backspace();
            break;
          case Key::Type::clear_line:
            screen.clear_input();
            break;
          case Key::Type::end_of_input:
          case Key::Type::interrupt:
            quit = true;
            break;
          case Key::Type::enter: {
            std::string line = screen.take_input();
            if (line == "/quit") {
              quit = true;
            } else if (!line.empty()) {
              outgoing.push(std::move(line));
            }
            break;
          }
        }
      }
      dirty = true;
    }
    if (dirty) redraw();
  }
  outgoing.stop();
  worker_thread.join();
  return kExitOk;
}

}  // namespace hush::app
