/// How an attempt's ranks are started: `mpirun` on a hostfile the launcher writes for the attempt's
/// hosts, or `srun` on nodes of the Slurm allocation the launcher runs in. Both map rank r to
/// host r / ranksPerHost.
package enum RankStarter: Equatable, Sendable {
    /// Open MPI's `mpirun`; `asRoot` adds `--allow-run-as-root`; `forwardLibraryPath` passes
    /// `LD_LIBRARY_PATH` on to remote ranks as well as `PATH`.
    case mpirun(asRoot: Bool, forwardLibraryPath: Bool)
    /// Slurm's `srun` with `--mpi=MPI` (pmix unless `SRUN_MPI` says otherwise).
    case srun(mpi: String)

    /// Whether the command reads a hostfile written for the attempt.
    package var needsHostfile: Bool {
        if case .mpirun = self { true } else { false }
    }

    /// The command running `executable train arguments` as `mapping.ranks` ranks on `mapping.hosts`.
    package func command(mapping: RankMapping, hostfile: String, executable: String, arguments: [String]) -> [String] {
        let rank = [executable, "train"] + arguments
        switch self {
        case .mpirun(let asRoot, let forwardLibraryPath):
            return ["mpirun"] + (asRoot ? ["--allow-run-as-root"] : []) + ["--hostfile", hostfile, "-np", "\(mapping.ranks)", "-x", "PATH"]
                + (forwardLibraryPath ? ["-x", "LD_LIBRARY_PATH"] : []) + rank
        case .srun(let mpi):
            return ["srun", "--mpi=\(mpi)", "--kill-on-bad-exit=1", "--nodes=\(mapping.hosts.count)",
                    "--nodelist=\(mapping.hosts.joined(separator: ","))", "--ntasks-per-node=\(mapping.ranksPerHost)",
                    "--ntasks=\(mapping.ranks)"] + rank
        }
    }

    /// A command that succeeds when `host` can run a process again (the launcher bounds its time).
    package func probe(host: String) -> [String] {
        switch self {
        case .mpirun(let asRoot, _):
            ["mpirun"] + (asRoot ? ["--allow-run-as-root"] : []) + ["-np", "1", "--host", host, "true"]
        case .srun:
            ["srun", "--nodes=1", "--ntasks=1", "--nodelist=\(host)", "true"]
        }
    }
}
