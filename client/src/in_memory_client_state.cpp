// InMemoryClientState: ClientState in maps and vectors, for Messengers that
// live as long as their process (tests, tools). Nothing can fail.
#include <algorithm>
#include <map>
#include <tuple>

#include "hush/client/client_state.hpp"

namespace hush::client {

AccountRecord AccountRecord::clone() const {
  return AccountRecord{server,
                       ca_file,
                       username,
                       device_id,
                       registration_id,
                       device_secret.clone(),
                       registered,
                       next_prekey_id,
                       signed_prekey_id,
                       signed_prekey_created_ms,
                       signed_prekey_uploaded,
                       retired_signed_prekeys};
}

namespace {

StoredMessage copy_of(const StoredMessage& m) {
  return m;
}

class InMemoryClientState final : public ClientState {
 public:
  Result<std::optional<AccountRecord>> load_account() const override {
    if (!account_) return std::optional<AccountRecord>{};
    return std::optional<AccountRecord>{account_->clone()};
  }
  Result<void> save_account(const AccountRecord& account) override {
    account_ = account.clone();
    return Ok{};
  }

  Result<void> add_outgoing(const OutgoingRecord& message) override {
    outbox_.push_back(message.clone());
    return Ok{};
  }
  Result<std::vector<OutgoingRecord>> outbox() const override {
    std::vector<OutgoingRecord> out;
    out.reserve(outbox_.size());
    for (const auto& m : outbox_) out.push_back(m.clone());
    return out;
  }
  Result<std::size_t> outbox_size() const override { return outbox_.size(); }
  Result<void> complete_send(const StoredMessage& sent) override {
    HUSH_TRY(drop_outgoing(sent.id));
    if (known_.insert(key_of(sent)).second) {
      history_.push_back(copy_of(sent));
      touch(sent.peer, sent.received_ms);
    }
    return Ok{};
  }
  Result<void> drop_outgoing(const MessageId& id) override {
    std::erase_if(outbox_, [&](const OutgoingRecord& m) { return m.id == id; });
    return Ok{};
  }

  Result<bool> record_received(const StoredMessage& message) override {
    if (!known_.insert(key_of(message)).second) return false;
    history_.push_back(copy_of(message));
    touch(message.peer, message.received_ms);
    return true;
  }
  Result<std::vector<StoredMessage>> history(std::string_view peer, std::size_t limit) const override {
    std::vector<StoredMessage> out;
    for (const auto& m : history_)
      if (m.peer == peer) out.push_back(m);
    if (limit != 0 && out.size() > limit) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
    return out;
  }

  Result<std::vector<ContactRecord>> contacts() const override {
    std::vector<ContactRecord> out;
    for (const auto& [name, c] : contacts_) out.push_back(c);
    return out;
  }
  Result<std::optional<ContactRecord>> contact(std::string_view name) const override {
    auto it = contacts_.find(std::string(name));
    if (it == contacts_.end()) return std::optional<ContactRecord>{};
    return std::optional<ContactRecord>{it->second};
  }
  Result<void> save_contact(const ContactRecord& contact) override {
    auto& c = contacts_[contact.name];
    const auto last = c.last_message_ms;
    c = contact;
    c.last_message_ms = last;
    return Ok{};
  }

  Result<std::set<std::uint32_t>> devices(std::string_view peer) const override {
    auto it = devices_.find(std::string(peer));
    if (it == devices_.end()) return std::set<std::uint32_t>{};
    return it->second;
  }
  Result<void> add_device(std::string_view peer, std::uint32_t device) override {
    devices_[std::string(peer)].insert(device);
    return Ok{};
  }
  Result<void> remove_device(std::string_view peer, std::uint32_t device) override {
    devices_[std::string(peer)].erase(device);
    return Ok{};
  }

  Result<void> record_undecryptable(const UndecryptableRecord& record) override {
    undecryptable_.push_back(record);
    return Ok{};
  }
  Result<std::vector<UndecryptableRecord>> undecryptable() const override { return undecryptable_; }

  Result<void> remove_signed_prekey(std::uint32_t) override { return Ok{}; }
  Result<void> lock() override { return Ok{}; }
  void unlock() noexcept override {}

 private:
  using Key = std::tuple<MessageDirection, std::string, MessageId>;
  static Key key_of(const StoredMessage& m) { return {m.direction, m.peer, m.id}; }

  void touch(const std::string& peer, std::uint64_t at_ms) {
    auto& c = contacts_[peer];
    c.name = peer;
    c.last_message_ms = std::max(c.last_message_ms.value_or(0), at_ms);
  }

  std::optional<AccountRecord> account_;
  std::vector<OutgoingRecord> outbox_;
  std::vector<StoredMessage> history_;
  std::set<Key> known_;
  std::map<std::string, ContactRecord> contacts_;
  std::map<std::string, std::set<std::uint32_t>> devices_;
  std::vector<UndecryptableRecord> undecryptable_;
};

}  // namespace

std::unique_ptr<ClientState> make_in_memory_client_state() {
  return std::make_unique<InMemoryClientState>();
}

}  // namespace hush::client
