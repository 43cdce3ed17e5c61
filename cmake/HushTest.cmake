# hush_add_test(NAME SOURCES... LIBS ...): one GoogleTest executable,
# registered with CTest test by test so failures name the case.
include(GoogleTest)
function(hush_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  hush_warnings(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS} hush_test_support GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    HUSH_VECTORS_DIR="${PROJECT_SOURCE_DIR}/interop/vectors")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60)
endfunction()
