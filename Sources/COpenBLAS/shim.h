#include <cblas.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

/// The widest vector kernels this CPU and its OS support: 2 = AVX-512 (F, DQ, BW, VL),
/// 1 = AVX2 + FMA, 0 = neither (or not x86-64). Checks XCR0, so a VM or kernel that does not
/// save the wider registers counts as not supporting them.
static inline int cohort_cpu_vector_level(void) {
#if defined(__x86_64__)
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    if (!osxsave || !avx) return 0;
    unsigned int xcr0, xcr0High;
    __asm__ volatile("xgetbv" : "=a"(xcr0), "=d"(xcr0High) : "c"(0));
    if ((xcr0 & 0x6) != 0x6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    const int avx2 = (b >> 5) & 1;
    const int avx512 = ((b >> 16) & 1) && ((b >> 17) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1);
    if (avx512 && (xcr0 & 0xE6) == 0xE6) return 2;
    if (avx2 && fma) return 1;
#endif
    return 0;
}
