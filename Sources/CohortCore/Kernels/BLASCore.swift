import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Which OpenBLAS kernels this process runs. OpenBLAS picks them from the CPU model when it
/// loads; virtual machines that hide the model make Debian's build fall back to "Prescott" (SSE3),
/// 4–5× slower than the AVX-512 or AVX2 kernels the CPU has. `OPENBLAS_CORETYPE` overrides the
/// choice, but OpenBLAS reads it only at load time, hence `upgradeByReexecuting()`.
public enum BLASCore {
    /// The kernel family OpenBLAS chose, e.g. "SkylakeX", "Haswell", "Prescott".
    public static var name: String { String(cString: openblas_get_corename()) }

    /// 2 = AVX-512, 1 = AVX2 + FMA, 0 = neither (CPU and OS support both checked).
    public static var cpuVectorLevel: Int { Int(cohort_cpu_vector_level()) }

    /// Kernel families older than AVX2, which a CPU with AVX2 or AVX-512 outruns.
    static let preAVX2Cores: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom",
                                            "sandybridge", "katmai", "coppermine", "northwood", "banias"]

    /// The `OPENBLAS_CORETYPE` to ask for when OpenBLAS chose `detected` on a CPU of `vectorLevel`,
    /// or nil when its choice is already as good.
    public static func preferred(detected: String, vectorLevel: Int) -> String? {
        guard preAVX2Cores.contains(detected.lowercased()) else { return nil }
        switch vectorLevel {
        case 2: return "SkylakeX"
        case 1: return "Haswell"
        default: return nil
        }
    }

    /// When OpenBLAS chose kernels below what the CPU supports and the user has not set
    /// `OPENBLAS_CORETYPE`, sets it and re-executes this program in place (same PID and arguments,
    /// so mpirun and Slurm still see their process). Call first thing in `main`, before MPI starts.
    /// Returns only when there is nothing to do or the re-execution failed.
    public static func upgradeByReexecuting() {
        guard getenv("OPENBLAS_CORETYPE") == nil,
              let core = preferred(detected: name, vectorLevel: cpuVectorLevel) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("OPENBLAS_CORETYPE")   // exec failed: carry on with the detected kernels
    }
}
