import ArgumentParser
import CohortLaunch
import Foundation

/// `cohort launch`: runs `cohort train` under mpirun (hosts of a hostfile) or srun (inside a Slurm
/// allocation) and relaunches it from the newest checkpoint without the failed hosts when a rank or
/// host fails (deploy/README.md, "Self-healing launches").
struct LaunchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch",
        abstract: "Run `cohort train` across hosts and relaunch it without failed hosts after a rank or host fault.",
        discussion: """
            Usage: cohort launch [options] -- train ARGS... (ARGS must include --checkpoint-dir; --resume auto is added). \
            Hosts come from --hostfile, else $COHORT_HOSTFILE, else (inside a Slurm allocation) the allocation's nodes, \
            started with srun --mpi=pmix ($SRUN_MPI overrides). Every attempt is appended to CHECKPOINT_DIR/launch.jsonl. \
            Exit status: 0 when training completed; a user error's or a stop signal's status (never retried); \
            1 when restarts or hosts ran out.
            """)

    @Option(help: "Hostfile (`HOST [slots=N]` lines); default $COHORT_HOSTFILE, or the Slurm allocation.") var hostfile: String?
    @Option(name: .customLong("ranks-per-host"), help: "Ranks on each host (default 1; under Slurm $SLURM_NTASKS_PER_NODE).") var ranksPerHost: Int?
    @Option(name: .customLong("max-restarts"), help: "Relaunches allowed after faults.") var maxRestarts = 3
    @Option(name: .customLong("min-hosts"), help: "Give up when fewer hosts than this remain.") var minHosts = 1
    @Argument(parsing: .postTerminator, help: "After --: `train` and its arguments.") var command: [String] = []

    func validate() throws {
        if let ranksPerHost, ranksPerHost < 1 { throw ValidationError("--ranks-per-host must be at least 1 (got \(ranksPerHost))") }
        guard maxRestarts >= 0 else { throw ValidationError("--max-restarts must be at least 0 (got \(maxRestarts))") }
        guard minHosts >= 1 else { throw ValidationError("--min-hosts must be at least 1 (got \(minHosts))") }
        guard command.first == "train" else { throw ValidationError("give the command to launch after --: cohort launch -- train ARGS...") }
        do { _ = try TrainArguments(Array(command.dropFirst())) } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let train = try TrainArguments(Array(command.dropFirst()))
        let starter: RankStarter, hosts: [String], perHost: Int
        if let file = hostfile ?? environment["COHORT_HOSTFILE"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ValidationError("cannot read the hostfile \(file)\(hostfile == nil ? " (from COHORT_HOSTFILE)" : "")")
            }
            do { hosts = try Hostfile.hosts(parsing: text, file: file) } catch { throw ValidationError("\(error)") }
            starter = .mpirun(asRoot: getuid() == 0, forwardLibraryPath: environment["LD_LIBRARY_PATH"] != nil)
            perHost = ranksPerHost ?? 1
        } else if environment["SLURM_JOB_ID"] != nil, let nodelist = environment["SLURM_JOB_NODELIST"] {
            hosts = try Self.slurmHosts(nodelist)
            starter = .srun(mpi: environment["SRUN_MPI"] ?? "pmix")
            perHost = ranksPerHost ?? environment["SLURM_NTASKS_PER_NODE"].flatMap { Int($0) } ?? 1
        } else {
            throw ValidationError("no hosts: give --hostfile FILE, set COHORT_HOSTFILE, or run inside a Slurm allocation")
        }
        LaunchSignals.install()
        var launcher = Launcher(starter: starter, ranksPerHost: perHost, maxRestarts: maxRestarts, minHosts: minHosts, train: train,
                                executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path, pool: HostPool(hosts: hosts))
        let status = try launcher.run()
        if status != 0 { throw ExitCode(status) }
    }

    /// The nodes of the allocation, by `scontrol show hostnames NODELIST`.
    private static func slurmHosts(_ nodelist: String) throws -> [String] {
        let watch = AttemptWatch()
        let scontrol = try ChildProcess(["scontrol", "show", "hostnames", nodelist], forward: false) { watch.record($0) }
        let status = scontrol.wait(timeout: 30) ?? scontrol.terminate(grace: 1)
        scontrol.finishOutput(timeout: 2)
        let hosts = watch.lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard status == 0, !hosts.isEmpty else {
            throw ValidationError("scontrol show hostnames \(nodelist) failed (status \(status)): \(watch.lines.joined(separator: " "))")
        }
        return hosts
    }
}
