// 16 bytes at a time where SSE2 is there (every x86-64): the byte scanners of the JSON readers
// test ATTEST_SCAN_SSE2 and keep their loads inside the text.
#pragma once

#if defined(__SSE2__)
#define ATTEST_SCAN_SSE2 1
#include <emmintrin.h>
#else
#define ATTEST_SCAN_SSE2 0
#endif
