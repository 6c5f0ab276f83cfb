import CohortLaunch
import Testing

/// The classifier on outputs captured from real runs (Open MPI 4.1, fashion-cnn across the
/// namespace hosts of scripts/multinode.sh, 3 hosts × 1 rank).
@Suite struct AttemptClassifierTests {
    static let hosts = ["10.213.124.11", "10.213.124.12", "10.213.124.13"]
    let classifier = AttemptClassifier(mapping: RankMapping(hosts: Self.hosts, ranksPerHost: 1))

    func classify(_ status: Int32, _ output: String, stopRequested: Bool = false) -> AttemptOutcome {
        classifier.classify(status: status, lines: output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                            stopRequested: stopRequested)
    }

    /// `kill -9` of rank 2 mid-epoch; mpirun exited 137.
    static let killedRank = """
        epoch 1/3  loss 2.2865  accuracy 0.1315  lr 0.05  239 img/s  3.2s
        --------------------------------------------------------------------------
        Primary job  terminated normally, but 1 process returned
        a non-zero exit code. Per user-direction, the job has been aborted.
        --------------------------------------------------------------------------
        --------------------------------------------------------------------------
        An MPI communication peer process has unexpectedly disconnected.  This
        usually indicates a failure in the peer process (e.g., a crash or
        otherwise exiting without calling MPI_FINALIZE first).

          Local host: vm
          Local PID:  18197
          Peer host:  10.213.124.13
        --------------------------------------------------------------------------
        --------------------------------------------------------------------------
        mpirun noticed that process rank 2 with PID 18196 on node 10.213.124.13 exited on signal 9 (Killed).
        --------------------------------------------------------------------------
        [vm:18172] 1 more process has sent help message help-mpi-btl-tcp.txt / peer hung up
        """

    /// Host 3's link taken down (`ip link set … down`) with --stall-timeout 8: the watchdog's line, then
    /// mpirun waits for the unreachable daemon until it is killed.
    static let stall = """
        epoch 1/3  loss 2.2865  accuracy 0.1315  lr 0.05  246 img/s  3.1s
        cohort: rank 0: stall at step 21 in MPI_Allreduce after 9.1 s; ranks that did not arrive: rank 2; aborting the job
        --------------------------------------------------------------------------
        MPI_ABORT was invoked on rank 0 in communicator MPI_COMM_WORLD
        with errorcode 124.
        --------------------------------------------------------------------------
        mpirun: abort is already in progress...hit ctrl-c again to forcibly terminate
        """

    /// The daemon (orted) on host 3 killed; mpirun exited 205.
    static let lostDaemon = """
        --------------------------------------------------------------------------
        ORTE has lost communication with a remote daemon.

          HNP daemon   : [[10007,0],0] on node vm
          Remote daemon: [[10007,0],3] on node 10.213.124.13

        This is usually due to either a failure of the TCP network
        connection to the node, or possibly an internal failure of
        the daemon itself. We cannot recover from this failure, and
        therefore will terminate the job.
        --------------------------------------------------------------------------
        --------------------------------------------------------------------------
        WARNING: Open MPI failed to TCP connect to a peer MPI process.  This
        should not happen.
        """

    /// `--data /nonexistent` on 2 ranks: exit 1.
    static let missingData = """
        cohort: rank 1: error: /nonexistent: no such directory
        cohort: rank 0: error: /nonexistent: no such directory
        --------------------------------------------------------------------------
        MPI_ABORT was invoked on rank 0 in communicator MPI_COMM_WORLD
        with errorcode 1.
        --------------------------------------------------------------------------
        """

    /// `--epochs 0` on 2 ranks: exit 64.
    static let badFlag = """
        Error: --epochs must be at least 1 (got 0)
        Usage: cohort train <options>
          See 'cohort train --help' for more information.
        --------------------------------------------------------------------------
        mpirun detected that one or more processes exited with non-zero status, thus causing
        the job to be terminated. The first process to do so was:

          Process name: [[16037,1],0]
          Exit code:    64
        --------------------------------------------------------------------------
        """

    /// Under Slurm (`srun --mpi=pmix --kill-on-bad-exit=1`, 2 tasks on node vm): `kill -9` of task 1,
    /// then the pre-emption path, where every task exits 75.
    static let srunKilledTask = """
        srun: error: vm: task 1: Killed
        srun: launch/slurm: _step_signal: Terminating StepId=1.0
        slurmstepd-vm: error: *** STEP 1.0 ON vm CANCELLED AT 2026-12-05T16:54:53 ***
        srun: Job step aborted: Waiting up to 32 seconds for job step to finish.
        """
    static let srunStopped = """
        stop signal received: saved /tmp/cohort-slurm.ww1v55/checkpoints/last.safetensors at global step 68
        srun: error: vm: tasks 0-1: Exited with exit code 75
        srun: launch/slurm: _step_signal: Terminating StepId=1.0
        """

    @Test func srunNamesTheNodeOfAKilledTask() {
        let slurm = AttemptClassifier(mapping: RankMapping(hosts: ["vm"], ranksPerHost: 2))
        func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }
        #expect(slurm.classify(status: 137, lines: lines(Self.srunKilledTask), stopRequested: false)
                == .fault(failedHosts: ["vm"], cause: "task 1 on host vm: Killed"))
        #expect(slurm.classify(status: 75, lines: lines(Self.srunStopped), stopRequested: true).name == "signalled")
        #expect(!lines(Self.srunStopped).contains(where: AttemptClassifier.isFaultLine), "tasks that exit are not a fault")
    }

    @Test func killedRankIsAFaultOfItsHost() {
        #expect(classify(137, Self.killedRank)
                == .fault(failedHosts: ["10.213.124.13"], cause: "rank 2 on host 10.213.124.13 killed by signal 9 (Killed)"))
    }

    @Test func stallExcludesTheHostsOfTheRanksThatDidNotArrive() {
        #expect(classify(124, Self.stall) == .fault(failedHosts: ["10.213.124.13"],
                                                    cause: "stall at step 21 in MPI_Allreduce: rank 2 on host 10.213.124.13 did not arrive"))
        // Killed by the launcher after the grace period: the status is mpirun's, the stall line still decides.
        #expect(classify(143, Self.stall).failedHosts == ["10.213.124.13"])
        // Two ranks per host: rank 2 runs on the second host.
        let paired = AttemptClassifier(mapping: RankMapping(hosts: Self.hosts, ranksPerHost: 2))
        #expect(paired.classify(status: 124, lines: Self.stall.split(separator: "\n").map(String.init), stopRequested: false).failedHosts
                == ["10.213.124.12"])
    }

    @Test func lostDaemonNamesItsNode() {
        #expect(classify(205, Self.lostDaemon)
                == .fault(failedHosts: ["10.213.124.13"], cause: "lost communication with the daemon on host 10.213.124.13"))
    }

    @Test func disconnectedPeerAloneNamesThePeerHost() {
        let peerOnly = Self.killedRank.components(separatedBy: "mpirun noticed")[0]
        #expect(classify(1, peerOnly).failedHosts == ["10.213.124.13"])
    }

    @Test func userErrorsAreNotFaults() {
        #expect(classify(1, Self.missingData) == .userError(cause: "cohort: rank 1: error: /nonexistent: no such directory"))
        #expect(classify(64, Self.badFlag) == .userError(cause: "Error: --epochs must be at least 1 (got 0)"))
        #expect(classify(3, "something else") == .userError(cause: "exited with status 3 without a rank or host fault"))
    }

    @Test func stopBySignalIsSignalledAndSuccessCompletes() {
        #expect(classify(75, "stop signal received: saved /tmp/c/last.safetensors at global step 75").name == "signalled")
        #expect(classify(137, Self.killedRank, stopRequested: true).name == "signalled")
        #expect(classify(0, Self.killedRank) == .completed)
    }

    @Test func faultLinesStartTheGracePeriod() {
        let lines = (Self.killedRank + "\n" + Self.stall + "\n" + Self.lostDaemon + "\n" + Self.missingData).split(separator: "\n").map(String.init)
        #expect(lines.filter(AttemptClassifier.isFaultLine)
                == ["An MPI communication peer process has unexpectedly disconnected.  This",
                    "mpirun noticed that process rank 2 with PID 18196 on node 10.213.124.13 exited on signal 9 (Killed).",
                    "cohort: rank 0: stall at step 21 in MPI_Allreduce after 9.1 s; ranks that did not arrive: rank 2; aborting the job",
                    "ORTE has lost communication with a remote daemon."])
    }
}
