import Foundation
import Testing
@testable import CohortDistributed

@Suite struct LaunchEnvironmentTests {
    @Test func noLauncherMeansSingleProcess() {
        let detected = LaunchEnvironment.detect(["PATH": "/usr/bin", "HOME": "/root"])
        #expect(!detected.launched)
        #expect(detected.launcher == nil)
        #expect(detected.localSize == nil)
    }

    @Test func openMPIVariables() {
        let detected = LaunchEnvironment.detect([
            "OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_RANK": "3", "OMPI_COMM_WORLD_LOCAL_SIZE": "2",
        ])
        #expect(detected == LaunchEnvironment.Detected(launched: true, launcher: "OpenMPI", rank: 3, size: 4, localSize: 2))
    }

    @Test func pmixPmiAndSlurmEachDetected() {
        #expect(LaunchEnvironment.detect(["PMIX_RANK": "1"]).launcher == "PMIx")
        let pmi = LaunchEnvironment.detect(["PMI_SIZE": "8", "PMI_RANK": "5", "MPI_LOCALNRANKS": "4"])
        #expect(pmi == LaunchEnvironment.Detected(launched: true, launcher: "PMI", rank: 5, size: 8, localSize: 4))
        let slurm = LaunchEnvironment.detect(["SLURM_PROCID": "2", "SLURM_NTASKS": "6", "SLURM_NTASKS_PER_NODE": "3(x2)"])
        #expect(slurm == LaunchEnvironment.Detected(launched: true, launcher: "Slurm", rank: 2, size: 6, localSize: 3))
    }

    @Test func slurmAllocationVariablesAloneAreNotALaunch() {
        #expect(!LaunchEnvironment.detect(["SLURM_JOB_ID": "42", "SLURM_NTASKS_PER_NODE": "2"]).launched)
    }

    @Test func withoutLauncherTheCommunicatorIsSingleProcess() throws {
        // The test process has no launcher variables (it must never initialise MPI).
        guard !LaunchEnvironment.detect(ProcessInfo.processInfo.environment).launched else { return }
        let communicator = try LaunchEnvironment.makeCommunicator(stallTimeout: nil)
        #expect(communicator is SingleProcessCommunicator)
        #expect(communicator.size == 1 && communicator.rank == 0)
    }
}

@Suite struct ThreadPlanTests {
    @Test func coresAreSharedAmongLocalRanks() {
        #expect(ThreadPlan.threadsPerRank(cores: 2, localSize: 2, override: nil) == 1)
        #expect(ThreadPlan.threadsPerRank(cores: 16, localSize: 4, override: nil) == 4)
        #expect(ThreadPlan.threadsPerRank(cores: 8, localSize: 3, override: nil) == 2)
        #expect(ThreadPlan.threadsPerRank(cores: 4, localSize: 1, override: nil) == 4)
    }

    @Test func neverBelowOne() {
        #expect(ThreadPlan.threadsPerRank(cores: 2, localSize: 3, override: nil) == 1)
        #expect(ThreadPlan.threadsPerRank(cores: 1, localSize: 0, override: nil) == 1)
        #expect(ThreadPlan.threadsPerRank(cores: 8, localSize: 2, override: 0) == 1)
    }

    @Test func overrideWins() {
        #expect(ThreadPlan.threadsPerRank(cores: 2, localSize: 2, override: 6) == 6)
        #expect(ThreadPlan.threadsPerRank(cores: 64, allowedCPUs: 8, localSize: 2, override: 3) == 3)
    }

    /// A rank bound to its socket's cores runs one thread per core it may use; an unbound rank
    /// (every CPU allowed) shares the node with the other local ranks.
    @Test func bindingDecidesTheThreads() {
        #expect(ThreadPlan.threadsPerRank(cores: 64, allowedCPUs: 32, localSize: 2, override: nil) == 32)
        #expect(ThreadPlan.threadsPerRank(cores: 64, allowedCPUs: 32, localSize: 1, override: nil) == 32)
        #expect(ThreadPlan.threadsPerRank(cores: 64, allowedCPUs: 64, localSize: 2, override: nil) == 32)
        #expect(ThreadPlan.threadsPerRank(cores: 64, allowedCPUs: nil, localSize: 4, override: nil) == 16)
    }

    @Test func cpuListsAreCounted() {
        #expect(ThreadPlan.cpuCount(list: "0-3,8,10-11") == 7)
        #expect(ThreadPlan.cpuCount(list: "5") == 1)
        #expect(ThreadPlan.cpuCount(list: "0-63") == 64)
        #expect(ThreadPlan.cpuCount(list: "") == nil)
        #expect(ThreadPlan.cpuCount(list: "3-1") == nil)
        #expect(ThreadPlan.cpuCount(list: "a-b") == nil)
    }
}
