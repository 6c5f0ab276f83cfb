import Foundation

/// Decides from the environment whether a parallel launcher started this process.
package enum LaunchEnvironment {
    /// What the environment says about the launch.
    package struct Detected: Equatable, Sendable {
        /// True when started by mpirun/mpiexec (OpenMPI, PMIx, PMI) or srun.
        package let launched: Bool
        /// `OpenMPI`, `PMIx`, `PMI`, `Slurm`, or nil.
        package let launcher: String?
        /// The launcher's rank for this process, when it says.
        package let rank: Int?
        /// The job's number of ranks, when the launcher says.
        package let size: Int?
        /// Ranks on this node (`OMPI_COMM_WORLD_LOCAL_SIZE`, `MPI_LOCALNRANKS`, `SLURM_NTASKS_PER_NODE`), when known.
        package let localSize: Int?
    }

    /// Inspects `env` (normally `ProcessInfo.processInfo.environment`); checks
    /// `OMPI_COMM_WORLD_SIZE`, `PMIX_RANK`, `PMI_SIZE`, `SLURM_PROCID` in that order.
    package static func detect(_ env: [String: String]) -> Detected {
        func int(_ key: String) -> Int? {
            // Slurm may write counts like "2(x3)"; the leading number is the per-node figure.
            env[key].flatMap { Int($0.prefix { $0.isNumber }) }
        }
        let localSize = int("OMPI_COMM_WORLD_LOCAL_SIZE") ?? int("MPI_LOCALNRANKS") ?? int("SLURM_NTASKS_PER_NODE")
        let launcher: String?
        let rank: Int?
        let size: Int?
        if env["OMPI_COMM_WORLD_SIZE"] != nil {
            (launcher, rank, size) = ("OpenMPI", int("OMPI_COMM_WORLD_RANK"), int("OMPI_COMM_WORLD_SIZE"))
        } else if env["PMIX_RANK"] != nil {
            (launcher, rank, size) = ("PMIx", int("PMIX_RANK"), int("PMI_SIZE") ?? int("SLURM_NTASKS"))
        } else if env["PMI_SIZE"] != nil {
            (launcher, rank, size) = ("PMI", int("PMI_RANK"), int("PMI_SIZE"))
        } else if env["SLURM_PROCID"] != nil {
            (launcher, rank, size) = ("Slurm", int("SLURM_PROCID"), int("SLURM_NTASKS"))
        } else {
            (launcher, rank, size) = (nil, nil, nil)
        }
        return Detected(launched: launcher != nil, launcher: launcher, rank: rank, size: size,
                        localSize: launcher == nil ? nil : localSize)
    }

    /// An `MPICommunicator` when a launcher is detected, else a `SingleProcessCommunicator` (MPI untouched).
    /// - Parameter stallTimeout: `--stall-timeout` seconds, or nil for the adaptive default.
    package static func makeCommunicator(stallTimeout: Double?) throws -> any Communicator {
        if detect(ProcessInfo.processInfo.environment).launched {
            return try MPICommunicator(stallTimeout: stallTimeout)
        }
        return SingleProcessCommunicator()
    }
}
