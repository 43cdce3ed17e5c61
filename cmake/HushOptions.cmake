# Build switches. Defaults give a release build with tests; CI turns on
# HUSH_WERROR and runs a second build with HUSH_SANITIZERS.
option(HUSH_BUILD_TESTS "Build the GoogleTest suites" ON)
option(HUSH_BUILD_BENCH "Build the Google Benchmark programs" ON)
option(HUSH_BUILD_FUZZERS "Build libFuzzer targets (needs clang)" OFF)
option(HUSH_WERROR "Treat warnings as errors" OFF)
set(HUSH_SANITIZERS "" CACHE STRING "Comma-separated -fsanitize= list, e.g. address,undefined")

set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "" FORCE)
endif()

# Warnings for our own targets only (generated protobuf code is compiled
# without them); hush_warnings(target) applies them.
function(hush_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual
    -Wimplicit-fallthrough)
  if(HUSH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(HUSH_SANITIZERS)
  add_compile_options(-fsanitize=${HUSH_SANITIZERS} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${HUSH_SANITIZERS})
endif()
