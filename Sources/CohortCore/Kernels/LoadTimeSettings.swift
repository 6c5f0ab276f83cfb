#if canImport(Glibc)
import Glibc
#endif

/// Settings that OpenBLAS and glibc read from the environment only when they load, which Cohort
/// chooses itself unless the user has set them:
/// - `OPENBLAS_CORETYPE`: kernels for the CPU's AVX2 or AVX-512 where OpenBLAS detected an older
///   family (`BLASCore.preferred`);
/// - `OPENBLAS_THREAD_TIMEOUT=4`: an idle OpenBLAS worker goes to sleep after 2⁴ cycles instead of
///   spinning for 2²⁸ (about 0.1 s) after every matrix product. Between the products a rank runs
///   its own threads (transforms, im2col, pooling), which the spinning workers would otherwise
///   take cores from: on 2 cores, one rank × 2 threads trained googlenet at 10.2 img/s with the
///   default and 13.6 with 4 (`cohort bench --model googlenet --batch-size 16 --threads 2`);
/// - `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`: malloc asks for transparent huge pages for its large
///   blocks, which a kernel in THP `madvise` mode (Debian's default) gives only on request: fewer
///   TLB misses over activations and Winograd workspaces. At 2 threads, 3 alternated pairs each:
///   resnet50 b16 4–7% and resnet18-cifar b128 2–3% more img/s, peak RSS the same.
package enum LoadTimeSettings {
    /// The timeout exponent Cohort asks for.
    package static let threadTimeout = "4"
    /// The glibc tunables Cohort asks for.
    package static let mallocTunables = "glibc.malloc.hugetlb=1"

    /// The variables to set before OpenBLAS loads: none that `environment` already has.
    package static func settings(environment: (String) -> String?, detectedCore: String, vectorLevel: Int) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        if environment("OPENBLAS_CORETYPE") == nil, let core = BLASCore.preferred(detected: detectedCore, vectorLevel: vectorLevel) {
            result.append(("OPENBLAS_CORETYPE", core))
        }
        if environment("OPENBLAS_THREAD_TIMEOUT") == nil {
            result.append(("OPENBLAS_THREAD_TIMEOUT", threadTimeout))
        }
        if environment("GLIBC_TUNABLES") == nil {
            result.append(("GLIBC_TUNABLES", mallocTunables))
        }
        return result
    }

    /// Sets what `settings` asks for and re-executes this program in place (same PID and arguments,
    /// so mpirun and Slurm still see their process); the new image finds everything set and goes on.
    /// The program is executed by its real path, not `/proc/self/exe`: the kernel names a process
    /// after the file it executes, so `ps`, `top`, `pgrep cohort` and Slurm keep seeing `cohort`.
    /// Call first thing in `main`, before MPI starts. Returns when there is nothing to set or the
    /// re-execution failed (then it carries on with OpenBLAS as loaded).
    package static func applyByReexecuting() {
        let wanted = settings(environment: { getenv($0).map { String(cString: $0) } }, detectedCore: BLASCore.name,
                              vectorLevel: BLASCore.cpuVectorLevel)
        guard !wanted.isEmpty, let program = realpath("/proc/self/exe", nil) else { return }
        defer { free(program) }
        for (name, value) in wanted { setenv(name, value, 1) }
        execv(program, CommandLine.unsafeArgv)
        for (name, _) in wanted { unsetenv(name) }
    }
}
