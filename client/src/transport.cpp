#include "transport.hpp"

namespace hush::client::detail {

Error io_error(std::string_view what, const boost::system::error_code& ec) {
  return make_error(Errc::storage, std::string(what) + ": " + ec.message());
}

Result<tcp::endpoint> resolve(asio::io_context& ioc, const Endpoint& endpoint) {
  boost::system::error_code ec;
  // A numeric address needs no lookup (and no blocking resolver call).
  const auto address = asio::ip::make_address(endpoint.host, ec);
  if (!ec) return tcp::endpoint(address, endpoint.port);
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(endpoint.host, std::to_string(endpoint.port), ec);
  if (ec || results.empty()) return io_error("resolve " + endpoint.host, ec);
  return results.begin()->endpoint();
}

Result<void> open_and_bind(tcp::socket& socket, const tcp::endpoint& remote, const Endpoint& endpoint) {
  boost::system::error_code ec;
  socket.open(remote.protocol(), ec);
  if (ec) return io_error("socket", ec);
  if (endpoint.bind_address.empty()) return Ok{};
  const auto local = asio::ip::make_address(endpoint.bind_address, ec);
  if (ec) return io_error("bind address " + endpoint.bind_address, ec);
  socket.bind(tcp::endpoint(local, 0), ec);
  if (ec) return io_error("bind " + endpoint.bind_address, ec);
  return Ok{};
}

Result<std::unique_ptr<asio::ssl::context>> make_tls_context(const Endpoint& endpoint) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1,
                   ec);
  if (endpoint.ca_file.empty())
    ctx->set_default_verify_paths(ec);
  else
    ctx->load_verify_file(endpoint.ca_file, ec);
  if (ec) return io_error("TLS trust anchors", ec);
  ctx->set_verify_mode(asio::ssl::verify_peer);
  return ctx;
}

}  // namespace hush::client::detail
