import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Which OpenBLAS kernels this process runs. OpenBLAS picks them from the CPU model when it
/// loads, and does not always pick the best the CPU can run (see `preferred`). `OPENBLAS_CORETYPE`
/// overrides the choice, but OpenBLAS reads it only at load time, hence `LoadTimeSettings.applyByReexecuting()`.
package enum BLASCore {
    /// The kernel family OpenBLAS chose, e.g. "SkylakeX", "Haswell", "Prescott".
    package static var name: String { String(cString: openblas_get_corename()) }

    /// 2 = AVX-512, 1 = AVX2 + FMA, 0 = neither (CPU and OS support both checked).
    package static var cpuVectorLevel: Int { Int(cohort_cpu_vector_level()) }

    /// The widest vector instruction set this CPU and OS run, as `cpuVectorLevel` names it.
    package static var cpuVectorISA: String { ["SSE/AVX (no AVX2)", "AVX2 + FMA", "AVX-512"][min(max(cpuVectorLevel, 0), 2)] }

    /// The vector level (as `cpuVectorLevel`) each kernel family is written for: pre-AVX2 families
    /// are 0, the AVX2 ones 1, the AVX-512 ones 2. Families not listed are left alone.
    static let coreVectorLevels: [String: Int] = [
        "prescott": 0, "core2": 0, "penryn": 0, "dunnington": 0, "nehalem": 0, "atom": 0, "sandybridge": 0,
        "katmai": 0, "coppermine": 0, "northwood": 0, "banias": 0,
        "haswell": 1, "zen": 1, "skylakex": 2, "cooperlake": 2, "sapphirerapids": 2,
    ]

    /// The `OPENBLAS_CORETYPE` to ask for when OpenBLAS chose `detected` on a CPU of `vectorLevel`,
    /// or nil when its choice is already as good. Debian's OpenBLAS picks "Prescott" on VMs that hide
    /// the CPU model and "Haswell" on AVX-512 AMD EPYC (Zen 4), whose SkylakeX kernels run sgemm
    /// 1.5× faster (118 vs 186 GFLOP/s on 2 cores, `cohort bench`).
    package static func preferred(detected: String, vectorLevel: Int) -> String? {
        guard let level = coreVectorLevels[detected.lowercased()], level < vectorLevel else { return nil }
        switch vectorLevel {
        case 2: return "SkylakeX"
        case 1: return "Haswell"
        default: return nil
        }
    }

    /// "Haswell", or "Haswell (OPENBLAS_CORETYPE; this CPU also runs SkylakeX)" when the user's
    /// setting holds back kernels the CPU could run faster.
    package static var description: String {
        guard getenv("OPENBLAS_CORETYPE") != nil, let better = preferred(detected: name, vectorLevel: cpuVectorLevel) else { return name }
        return "\(name) (OPENBLAS_CORETYPE; this CPU also runs \(better))"
    }
}
