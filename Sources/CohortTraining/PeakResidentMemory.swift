#if canImport(Glibc)
import Glibc
#endif

/// The most resident memory this process has held so far (`getrusage` maximum RSS).
package enum PeakResidentMemory {
    /// Peak resident set size in megabytes (2^20 bytes).
    package static var megabytes: Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return Double(usage.ru_maxrss) / 1024   // Linux reports kilobytes
    }
}
