// The one translation unit that compiles Boost.Asio, Asio's SSL layer and
// Boost.Beast (BOOST_*_SEPARATE_COMPILATION, set PUBLIC by hush_client), so
// the files that use them only instantiate templates.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
