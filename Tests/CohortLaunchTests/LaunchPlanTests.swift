import CohortLaunch
import Foundation
import Testing

/// The launcher's pure parts: hostfiles, rank mapping, train arguments, the host pool, commands, records.
@Suite struct LaunchPlanTests {
    @Test func hostfileGivesEachHostOnceInOrder() throws {
        let text = "# cluster\n10.0.0.1 slots=2\n\nnode-b   # spare\n10.0.0.1 slots=4\n  node-c max_slots=8\n"
        #expect(try Hostfile.hosts(parsing: text, file: "h") == ["10.0.0.1", "node-b", "node-c"])
        #expect(throws: LaunchError.self) { try Hostfile.hosts(parsing: "# none\n", file: "h") }
        #expect(Hostfile.text(hosts: ["a", "b"], slots: 2) == "a slots=2\nb slots=2\n")
    }

    @Test func ranksMapByBlocksOfRanksPerHost() {
        let mapping = RankMapping(hosts: ["a", "b", "c"], ranksPerHost: 2)
        #expect(mapping.ranks == 6)
        #expect((0..<7).map { mapping.host(ofRank: $0) } == ["a", "a", "b", "b", "c", "c", nil])
    }

    @Test func trainArgumentsNeedACheckpointDirAndResumeAuto() throws {
        #expect(try TrainArguments(["--epochs", "3", "--checkpoint-dir", "/c"]).arguments == ["--epochs", "3", "--checkpoint-dir", "/c", "--resume", "auto"])
        let given = try TrainArguments(["--checkpoint-dir=/c", "--resume", "/c/best.safetensors"])
        #expect(given.arguments == ["--checkpoint-dir=/c", "--resume", "/c/best.safetensors"] && given.checkpointDirectory == "/c")
        #expect(throws: LaunchError.self) { try TrainArguments(["--epochs", "3"]) }
    }

    @Test func failedHostsSitOutOneAttemptThenAreProbed() {
        var pool = HostPool(hosts: ["a", "b", "c"])
        pool.exclude(["c", "unknown"], failedInAttempt: 1)
        #expect(pool.available == ["a", "b"])
        #expect(pool.hostsToProbe(beforeAttempt: 2).isEmpty, "not probed at the restart right after it failed")
        pool.exclude(["b"], failedInAttempt: 2)
        #expect(pool.hostsToProbe(beforeAttempt: 3) == ["c"])
        pool.readmit("c")
        #expect(pool.available == ["a", "c"])
        #expect(pool.hostsToProbe(beforeAttempt: 4) == ["b"])
    }

    @Test func commandsMapRanksBySlotOrBlock() {
        let mapping = RankMapping(hosts: ["n1", "n2"], ranksPerHost: 2)
        #expect(RankStarter.mpirun(asRoot: true, forwardLibraryPath: false).command(mapping: mapping, hostfile: "/t/h", executable: "/bin/cohort", arguments: ["--epochs", "1"])
                == ["mpirun", "--allow-run-as-root", "--hostfile", "/t/h", "-np", "4", "-x", "PATH", "/bin/cohort", "train", "--epochs", "1"])
        #expect(RankStarter.srun(mpi: "pmix").command(mapping: mapping, hostfile: "", executable: "/bin/cohort", arguments: [])
                == ["srun", "--mpi=pmix", "--kill-on-bad-exit=1", "--nodes=2", "--nodelist=n1,n2", "--ntasks-per-node=2", "--ntasks=4", "/bin/cohort", "train"])
        #expect(RankStarter.mpirun(asRoot: false, forwardLibraryPath: false).probe(host: "n2") == ["mpirun", "-np", "1", "--host", "n2", "true"])
    }

    @Test func recordHasExactlyTheKeysCohortStatusReads() throws {
        let record = LaunchRecord(attempt: 2, mapping: RankMapping(hosts: ["a", "b"], ranksPerHost: 1), started: 100, ended: 160, status: 137,
                                  outcome: .fault(failedHosts: ["b"], cause: "rank 1 on host b killed by signal 9 (Killed)"))
        let line = try record.jsonLine()
        #expect(line == #"{"attempt":2,"cause":"rank 1 on host b killed by signal 9 (Killed)","ended":160,"failedHosts":["b"],"hosts":["a","b"],"outcome":"fault","ranks":2,"started":100,"status":137}"# + "\n")
        #expect(try JSONDecoder().decode(LaunchRecord.self, from: Data(line.utf8)) == record)
    }
}
