import Foundation
import Testing

/// Every test that starts `mpirun` lives under this suite, so all of them run one at a time: two
/// concurrent jobs would oversubscribe the cores and collide in OpenMPI's session directory.
@Suite(.serialized) struct MPIJobTests {}

/// Collectives of real `mpirun` jobs of `cohort comm-check`.
extension MPIJobTests { @Suite struct Collectives {
    static let sizes = [1, 7, 1000, 100_003, 1_000_000]
    static let bucketKB = [1, 64, 25600]
    static let checkArguments = ["comm-check", "--sizes", sizes.map(String.init).joined(separator: ","),
                                 "--bucket-kb", bucketKB.map(String.init).joined(separator: ",")]

    /// Runs a job to completion within a hard limit; records an issue and returns nil on a hang.
    static func run(_ arguments: [String], limit: Double = 120) throws -> (status: Int32, output: String)? {
        let job = try MPIJob(arguments)
        guard let status = job.waitForExit(timeout: limit) else {
            Issue.record("mpirun did not finish within \(limit) s; output:\n\(job.output)")
            return nil
        }
        return (status, job.output)
    }

    static func expectAllChecksPass(ranks: Int, output: String) {
        for rank in 0..<ranks {
            #expect(output.contains("rank \(rank) pid ") && output.contains("size \(ranks) "), "\(output)")
            for n in sizes {
                for kb in bucketKB {
                    #expect(output.contains("rank \(rank) allreduce n=\(n) bucketKB=\(kb) ok\n"), "rank \(rank) n=\(n) kb=\(kb)")
                }
            }
            for check in ["agreement", "allreduce-double", "allreduce-int64", "broadcast", "allgather"] {
                #expect(output.contains("rank \(rank) \(check) ok\n"), "rank \(rank) \(check): \(output)")
            }
            #expect(output.contains("rank \(rank) done\n"))
        }
        #expect(!output.contains("error"), "\(output)")
    }

    /// `checksum …` lines of `rank`, in order.
    static func checksums(rank: Int, _ output: String) -> [String] {
        output.split(separator: "\n").filter { $0.hasPrefix("rank \(rank) checksum ") }
            .map { String($0.dropFirst("rank \(rank) ".count)) }
    }

    @Test func collectivesTwoRanks() throws {
        guard let result = try Self.run(["-np", "2", MPIJob.cohortExecutable] + Self.checkArguments) else { return }
        #expect(result.status == 0, "\(result.output)")
        Self.expectAllChecksPass(ranks: 2, output: result.output)
    }

    /// A waiting collective yields its core (the communication thread shares it with backward),
    /// unless the user chose otherwise.
    @Test func collectivesYieldTheCoreUnlessTheUserSaysNot() throws {
        let check = [MPIJob.cohortExecutable, "comm-check", "--no-collectives"]
        guard let byDefault = try Self.run(["-np", "2"] + check, limit: 60),
              let chosen = try Self.run(["-np", "2", "-x", "OMPI_MCA_mpi_yield_when_idle=0"] + check, limit: 60) else { return }
        for rank in 0..<2 {
            #expect(byDefault.output.contains("rank \(rank) pid ") && byDefault.output.contains(" yieldWhenIdle true\n"), "\(byDefault.output)")
        }
        #expect(!byDefault.output.contains("yieldWhenIdle false"), "\(byDefault.output)")
        #expect(chosen.output.contains(" yieldWhenIdle false\n") && !chosen.output.contains("yieldWhenIdle true"), "\(chosen.output)")
    }

    @Test func collectivesThreeRanksOversubscribed() throws {
        guard let result = try Self.run(["--oversubscribe", "-np", "3", MPIJob.cohortExecutable] + Self.checkArguments)
        else { return }
        #expect(result.status == 0, "\(result.output)")
        Self.expectAllChecksPass(ranks: 3, output: result.output)
    }

    @Test func twoRunsAreBitwiseEqual() throws {
        guard let first = try Self.run(["-np", "2", MPIJob.cohortExecutable] + Self.checkArguments),
              let second = try Self.run(["-np", "2", MPIJob.cohortExecutable] + Self.checkArguments) else { return }
        #expect(first.status == 0 && second.status == 0)
        let expectedLines = Self.sizes.count * Self.bucketKB.count
        #expect(Self.checksums(rank: 0, first.output).count == expectedLines, "\(first.output)")
        #expect(Self.checksums(rank: 0, first.output) == Self.checksums(rank: 0, second.output))
        #expect(Self.checksums(rank: 0, first.output) == Self.checksums(rank: 1, first.output))
    }

    @Test func rankAgreementMismatchNamesFieldBeforeAnyStep() throws {
        let exe = MPIJob.cohortExecutable
        let common = ["comm-check", "--no-collectives", "--steps", "3", "--field", "model=fashion-cnn"]
        guard let result = try Self.run(["-np", "1", exe] + common + ["--field", "lr=0.1", ":",
                                         "-np", "1", exe] + common + ["--field", "lr=0.2"], limit: 60) else { return }
        #expect(result.status != 0)
        #expect(result.output.contains("field 'lr' differs: rank 0=0.1, rank 1=0.2"), "\(result.output)")
        #expect(!result.output.contains("field 'model'"))
        #expect(result.output.contains("ranks 1 differ from rank 0"))
        #expect(!result.output.contains(" step 1\n"), "a step ran before agreement: \(result.output)")
    }
} }
