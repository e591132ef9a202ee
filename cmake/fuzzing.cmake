# libFuzzer targets for the parsers of untrusted input (tests/fuzz/,
# docs/FUZZING.md). They need clang: configure a build of its own,
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCLUSTR_FUZZ=ON
# in which the library is built with coverage instrumentation and ASan + UBSan.
if(CLUSTR_FUZZ)
    include(CheckCXXSourceCompiles)
    set(CMAKE_REQUIRED_FLAGS "-fsanitize=fuzzer,address,undefined")
    set(CMAKE_REQUIRED_LINK_OPTIONS "-fsanitize=fuzzer,address,undefined")
    check_cxx_source_compiles("
        #include <cstddef>
        #include <cstdint>
        extern \"C\" int LLVMFuzzerTestOneInput(const uint8_t *, size_t) { return 0; }"
        CLUSTR_HAVE_LIBFUZZER)
    unset(CMAKE_REQUIRED_FLAGS)
    unset(CMAKE_REQUIRED_LINK_OPTIONS)
    if(NOT CLUSTR_HAVE_LIBFUZZER)
        message(FATAL_ERROR "CLUSTR_FUZZ=ON needs a compiler with libFuzzer (-fsanitize=fuzzer,address,undefined), "
            "and ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION} (${CMAKE_CXX_COMPILER}) has none. Use clang in a "
            "build directory of its own: CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCLUSTR_FUZZ=ON")
    endif()
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()
